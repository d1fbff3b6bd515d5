package io.ispasp.prune;

/**
 * An importance criterion: one score per group of a unit, larger is more important. Turned into a
 * {@link Selector} by {@link #selector}, which keeps the s groups of largest score ({@link TopK}'s tie rule).
 */
@FunctionalInterface
public interface Importance {
    double[] scores(UnitData unit);

    /** The selector that keeps the {@code unit.keep()} groups of largest importance. */
    static Selector selector(Importance importance) {
        return unit -> {
            long t0 = System.nanoTime();
            double[] s = importance.scores(unit);
            if (s.length != unit.groups()) {
                throw new IllegalStateException(unit.name() + ": importance has " + s.length + " scores for " + unit.groups() + " groups");
            }
            return Selection.of(TopK.indices(s, unit.keep()), (System.nanoTime() - t0) / 1e9);
        };
    }
}
