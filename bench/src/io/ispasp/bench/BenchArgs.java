package io.ispasp.bench;

import java.util.List;

/** The benchmarks' "--name VALUE" options, taken out of their argument lists so that what is left is positional. */
final class BenchArgs {
    private BenchArgs() {}

    /** The value of {@code name} in {@code rest}, both removed from it; null when the option is not there. */
    static String take(List<String> rest, String name) {
        int i = rest.indexOf(name);
        if (i < 0) return null;
        if (i + 1 >= rest.size()) throw new IllegalArgumentException(name + " needs a value");
        String value = rest.get(i + 1);
        rest.subList(i, i + 2).clear();
        return value;
    }
}
