package io.ispasp.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Checks a name-to-tensor state against a {@link Blueprint}, with one-line errors that name the tensor: a missing
 * name, an unexpected name, a wrong shape (a pruned unit may be narrower, the same on all its coupled tensors), a
 * non-finite value.
 */
public final class StateShapes {
    private StateShapes() {}

    /** The shapes a state must have when its units have the widths {@code state} implies; checks everything. */
    public static void check(Blueprint blueprint, Map<String, Tensor> tensors) {
        Map<String, long[]> actual = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) actual.put(e.getKey(), e.getValue().shape());
        }
        Map<String, long[]> expected = expected(blueprint, actual);
        try (PointerScope scope = new PointerScope()) {
            for (String name : expected.keySet()) {
                Tensor t = tensors.get(name);
                if (t.is_floating_point() && !t.isfinite().all().item_bool()) {
                    throw new IllegalArgumentException("tensor '" + name + "' holds NaN or infinite values");
                }
            }
        }
    }

    /**
     * The expected shape of every tensor, given the actual shapes (which fix each unit's width); throws when a name
     * is missing or unexpected or a shape does not fit.
     */
    public static Map<String, long[]> expected(Blueprint blueprint, Map<String, long[]> actual) {
        Map<String, long[]> dense = blueprint.shapes();
        List<String> missing = new ArrayList<>();
        for (String name : dense.keySet()) if (!actual.containsKey(name)) missing.add(name);
        if (!missing.isEmpty()) throw new IllegalArgumentException("the state lacks " + missing.size() + " tensor(s): " + abbreviate(missing));
        List<String> unexpected = new ArrayList<>();
        for (String name : actual.keySet()) if (!dense.containsKey(name)) unexpected.add(name);
        if (!unexpected.isEmpty()) throw new IllegalArgumentException("unexpected tensor(s): " + abbreviate(unexpected));
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : dense.entrySet()) expected.put(e.getKey(), e.getValue().clone());
        for (UnitSpec u : blueprint.units()) {
            String widthTensor = u.hidden() + ".weight";
            long[] w = actual.get(widthTensor);
            long full = dense.get(widthTensor)[0];
            if (w.length == 0 || w[0] < 1 || w[0] > full || w[0] % u.columns() != 0) {
                throw new IllegalArgumentException("tensor '" + widthTensor + "' has shape " + Arrays.toString(w)
                        + ": unit " + u.name() + " needs between 1 and " + full / u.columns() + " groups"
                        + (u.columns() > 1 ? " of " + u.columns() + " rows" : ""));
            }
            for (UnitSpec.Coupled c : u.coupled()) expected.get(c.tensor())[c.dim()] = w[0];
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] a = actual.get(e.getKey());
            if (!Arrays.equals(a, e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(a)
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        return expected;
    }

    static String abbreviate(List<String> names) {
        if (names.size() <= 5) return String.join(", ", names);
        return String.join(", ", names.subList(0, 5)) + ", ... (" + (names.size() - 5) + " more)";
    }
}
