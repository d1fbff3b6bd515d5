package io.ispasp.prune;

import io.ispasp.kernels.UnitKernel;

/**
 * The statistics path on the native kernels (C++ CPU or CUDA): a {@link ScoreOracle} over a {@link UnitKernel},
 * which also runs the whole i-SpaSP loop in one native call. Owns the kernel; close() releases it.
 */
public final class NativeOracle implements ScoreOracle, FusedLoop {
    private final UnitKernel unit;
    private final double[] mass;
    private final UnitStatistics stats;   // null when built without statistics (no kept(), no groupGrams())

    /** An oracle for scores and residuals only ({@link #kept} needs the target sums: use the other constructor). */
    public NativeOracle(UnitKernel unit, double[] mass) {
        this(unit, mass, null);
    }

    /** An oracle on the kernel of {@code stats} (a one-tap unit). */
    public NativeOracle(UnitKernel unit, UnitStatistics stats) {
        this(unit, stats.activationMass(), stats);
    }

    private NativeOracle(UnitKernel unit, double[] mass, UnitStatistics stats) {
        if (mass.length != unit.groups()) throw new IllegalArgumentException("mass has " + mass.length + " groups, unit " + unit.groups());
        this.unit = unit;
        this.mass = mass.clone();
        this.stats = stats;
    }

    @Override
    public int groups() { return unit.groups(); }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        UnitKernel.Evaluation e = unit.evaluate(support, withScores);
        return new Evaluation(e.scores(), e.residual());
    }

    @Override
    public KeptStatistics kept(int[] support) {
        UnitKernel.Kept k = unit.kept(support);
        double zz = unit.evaluate(new int[0], false).residual();   // ||z||^2 = residual of the empty support
        return new KeptStatistics(support.length, unit.outputs(), k.gram(), k.cross(), zz, statistics().featureSums(support),
                statistics().targetSums(), statistics().rows());
    }

    @Override
    public GroupGrams groupGrams() {
        return statistics().groupGrams();
    }

    private UnitStatistics statistics() {
        if (stats == null) throw new IllegalStateException("this oracle was built without the unit's statistics");
        return stats;
    }

    /** ||R||^2 for many supports at once (kept[b][i]: group i kept in support b). */
    public double[] residuals(boolean[][] kept) {
        return unit.residuals(kept);
    }

    @Override
    public IspaspSelector.Loop run(int keep, int iterations, boolean earlyStop) {
        return FusedLoop.of(unit.run(keep, iterations, earlyStop));
    }

    @Override
    public void close() {
        unit.close();
    }
}
