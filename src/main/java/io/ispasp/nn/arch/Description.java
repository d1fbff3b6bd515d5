package io.ispasp.nn.arch;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The text form of an architecture, {@code NAME key=value ...} (for example {@code resnet50 form=cifar width=0.25
 * classes=10}), as stored in checkpoints and TorchScript exports; parsed with one-line errors.
 */
final class Description {
    final String name;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Description(String name) { this.name = name; }

    static Description parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) throw new IllegalArgumentException("empty architecture description");
        Description d = new Description(parts[0].toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("'" + parts[i] + "' in architecture '" + text + "' is not key=value");
            d.values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return d;
    }

    String text(String key, String fallback) { return values.getOrDefault(key, fallback); }

    double number(String key, double fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + v + " in architecture " + name + " is not a number");
        }
    }

    int integer(String key, int fallback) {
        double v = number(key, fallback);
        if (v != Math.rint(v)) throw new IllegalArgumentException(key + "=" + v + " in architecture " + name + " is not an integer");
        return (int) v;
    }

    boolean cifar() {
        String form = text("form", "imagenet");
        if (!form.equals("cifar") && !form.equals("imagenet")) {
            throw new IllegalArgumentException("form=" + form + " in architecture " + name + ": expected cifar or imagenet");
        }
        return form.equals("cifar");
    }

    static String format(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
