package io.ispasp.model.torchscript;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ispasp.model.Mlp;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.ConvSpec;

/**
 * The text of the {@value TorchScriptWriter#SPEC_ATTRIBUTE} attribute: what the tensor shapes alone do not tell
 * (a conv net's form and exact width multiplier), e.g. {@code resnet34 form=cifar width=0.25} or
 * {@code mlp sizes=784-1024-10}.
 */
record SpecText(String model, Boolean cifar, Double width) {

    static String of(ConvSpec spec) {
        return String.format(Locale.ROOT, "%s form=%s width=%s", spec.arch().cliName(), spec.cifar() ? "cifar" : "imagenet",
                Double.toString(spec.width()));
    }

    static String of(Mlp mlp) {
        return "mlp sizes=" + Arrays.stream(mlp.sizes()).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    /** Parses the attribute; unknown keys are ignored, a malformed value is an error naming the attribute. */
    static SpecText parse(String text) {
        String[] parts = text.trim().split("\\s+");
        Boolean cifar = null;
        Double width = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("form=")) {
                String f = p.substring(5);
                if (!f.equals("cifar") && !f.equals("imagenet")) throw bad(text);
                cifar = f.equals("cifar");
            } else if (p.startsWith("width=")) {
                try {
                    width = Double.parseDouble(p.substring(6));
                } catch (NumberFormatException e) {
                    throw bad(text);
                }
            }
        }
        return new SpecText(parts[0], cifar, width);
    }

    /** The architecture named, or null for an MLP or a name the engine does not know. */
    Arch arch() {
        for (Arch a : Arch.values()) if (a.cliName().equals(model)) return a;
        return null;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("malformed " + TorchScriptWriter.SPEC_ATTRIBUTE + " attribute '" + text + "'");
    }
}
