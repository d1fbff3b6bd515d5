package io.ispasp.model.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Checks a name-to-tensor state against what a {@link ConvSpec} needs, with one-line errors that name the tensor:
 * a missing name, an unexpected name (a typo or another architecture), a wrong shape, a non-finite value.
 */
final class StateCheck {
    private StateCheck() {}

    static void check(ConvSpec spec, Map<String, Tensor> tensors) {
        Map<String, long[]> expected = Shapes.of(spec);
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) if (!tensors.containsKey(name)) missing.add(name);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(spec.arch().cliName() + " state lacks " + missing.size() + " tensor(s): "
                    + abbreviate(missing));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) if (!expected.containsKey(name)) unexpected.add(name);
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("unexpected tensor(s) for " + spec.arch().cliName() + ": " + abbreviate(unexpected));
        }
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                Tensor t = tensors.get(e.getKey());
                long[] shape = t.shape();
                if (!Arrays.equals(shape, e.getValue())) {
                    throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(shape)
                            + ", expected " + Arrays.toString(e.getValue()));
                }
                if (t.is_floating_point() && !t.isfinite().all().item_bool()) {
                    throw new IllegalArgumentException("tensor '" + e.getKey() + "' holds NaN or infinite values");
                }
            }
        }
    }

    private static String abbreviate(List<String> names) {
        if (names.size() <= 5) return String.join(", ", names);
        return String.join(", ", names.subList(0, 5)) + ", ... (" + (names.size() - 5) + " more)";
    }
}
