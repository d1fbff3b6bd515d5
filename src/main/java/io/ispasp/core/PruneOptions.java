package io.ispasp.core;

/**
 * Everything that configures one pruning run. Immutable; build with {@link #builder()}. Validation happens in
 * {@link Builder#build()}, so a bad value fails before any work starts.
 */
public final class PruneOptions {
    private final Method method;
    private final double ratio;
    private final int iterations;
    private final int calibration;
    private final Score score;
    private final PathChoice path;
    private final boolean refit;
    private final double refitLambda;
    private final Target target;
    private final Threshold threshold;
    private final boolean bestIterate;
    private final boolean biasCompensation;
    private final int gfsCandidates;
    private final int gfsBatch;
    private final long seed;
    private final int batchSize;
    private final boolean earlyStop;
    private final Device device;
    private final long memory;
    private final java.nio.file.Path spill;

    private PruneOptions(Builder b) {
        this.method = b.method;
        this.ratio = b.ratio;
        this.iterations = b.iterations;
        this.calibration = b.calibration;
        this.score = b.score;
        this.path = b.path;
        this.refit = b.refit;
        this.refitLambda = b.refitLambda;
        this.target = b.target;
        this.threshold = b.threshold;
        this.bestIterate = b.bestIterate;
        this.biasCompensation = b.biasCompensation;
        this.gfsCandidates = b.gfsCandidates;
        this.gfsBatch = b.gfsBatch;
        this.seed = b.seed;
        this.batchSize = b.batchSize;
        this.earlyStop = b.earlyStop;
        this.device = b.device;
        this.memory = b.memory;
        this.spill = b.spill;
    }

    public static Builder builder() { return new Builder(); }

    /** The machine's physical memory, for the default memory bound. */
    private static final class Machine {
        static long memory() {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
            return Runtime.getRuntime().maxMemory(); // a JVM without the extension: the Java heap's bound stands in
        }
    }

    public Builder toBuilder() {
        return new Builder().method(method).ratio(ratio).iterations(iterations).calibration(calibration).score(score)
                .path(path).refit(refit).refitLambda(refitLambda).target(target).threshold(threshold)
                .bestIterate(bestIterate).biasCompensation(biasCompensation).gfsCandidates(gfsCandidates)
                .gfsBatch(gfsBatch).seed(seed).batchSize(batchSize).earlyStop(earlyStop).device(device).memory(memory).spill(spill);
    }

    public Method method() { return method; }

    /** Fraction of groups kept, in (0, 1]. */
    public double ratio() { return ratio; }

    /** i-SpaSP iterations T per unit. */
    public int iterations() { return iterations; }

    /** Number of calibration samples (taken from the start of the training split). */
    public int calibration() { return calibration; }

    public Score score() { return score; }

    public PathChoice path() { return path; }

    public boolean refit() { return refit; }

    /** Ridge strength for the refit, relative to the mean diagonal of the kept Gram matrix. */
    public double refitLambda() { return refitLambda; }

    public Target target() { return target; }

    /** How the merged candidate set is cut back to s groups. */
    public Threshold threshold() { return threshold; }

    /**
     * Return the best support the loop visited (lowest residual after the refit when refitting, else lowest
     * residual) instead of the last one.
     */
    public boolean bestIterate() { return bestIterate; }

    /**
     * Move the mean contribution of the dropped groups into B's bias (or the running mean of the BN after B); with
     * the refit, fit an intercept. Applies to i-SpaSP only.
     */
    public boolean biasCompensation() { return biasCompensation; }

    /** Which named i-SpaSP variant these settings are (BEST, PAPER or CUSTOM). */
    public Variant variant() { return Variant.of(this); }

    /** GFS candidates per step (K); 0 or anything >= N means exact GFS (all remaining groups). */
    public int gfsCandidates() { return gfsCandidates; }

    /** GFS mini-batch size for each step's loss evaluations. */
    public int gfsBatch() { return gfsBatch; }

    public long seed() { return seed; }

    /** Rows per batch when streaming the calibration data. */
    public int batchSize() { return batchSize; }

    /**
     * Stop the i-SpaSP loop at a fixed point (a support repeated). Exact: the loop is deterministic in the support,
     * so every later iteration would repeat it. Off only to time all T iterations as the authors' code runs them.
     */
    public boolean earlyStop() { return earlyStop; }

    /** Where the statistics pass and the i-SpaSP loop run (the native kernels' backend). */
    public Device device() { return device; }

    /**
     * Bytes the pruner may keep in memory of carried activations (each unit's input for every calibration sample, and
     * the dense network's at the same point for the original target); beyond it they spill to {@link #spill()}, or
     * without a spill folder the unit's input is recomputed from the samples. Default: a quarter of the machine's
     * physical memory.
     */
    public long memory() { return memory >= 0 ? memory : Machine.memory() / 4; }

    /**
     * The folder for carried activations beyond {@link #memory()} (scratch files that leave no name behind), or null to
     * recompute those inputs from the samples instead. Default: the system's temporary folder.
     */
    public java.nio.file.Path spill() { return spill; }

    /** The default spill folder: the system's temporary folder. */
    public static java.nio.file.Path defaultSpill() { return java.nio.file.Path.of(System.getProperty("java.io.tmpdir")); }

    /** Groups kept out of {@code n}: max(1, floor(ratio * n)), as in the authors' code. */
    public int keep(int n) {
        return Math.max(1, (int) Math.floor(ratio * n + 1e-9));
    }

    /** Fluent builder with the documented defaults. */
    public static final class Builder {
        private Method method = Method.ISPASP;
        private double ratio = 0.5;
        private int iterations = 20;
        private int calibration = 2048;
        private Score score = Score.GROUP_NORM;
        private PathChoice path = PathChoice.AUTO;
        private boolean refit = true;
        private double refitLambda = 1e-3;
        private Target target = Target.ORIGINAL;
        private Threshold threshold = Threshold.LSQ;
        private boolean bestIterate = true;
        private boolean biasCompensation = true;
        private int gfsCandidates = 50;
        private int gfsBatch = 128;
        private long seed;
        private int batchSize = 1024;
        private boolean earlyStop = true;
        private Device device = Device.AUTO;
        private long memory = -1; // a quarter of the machine's memory
        private java.nio.file.Path spill = defaultSpill();

        public Builder method(Method v) { this.method = v; return this; }
        public Builder ratio(double v) { this.ratio = v; return this; }
        public Builder iterations(int v) { this.iterations = v; return this; }
        public Builder calibration(int v) { this.calibration = v; return this; }
        public Builder score(Score v) { this.score = v; return this; }
        public Builder path(PathChoice v) { this.path = v; return this; }
        public Builder refit(boolean v) { this.refit = v; return this; }
        public Builder refitLambda(double v) { this.refitLambda = v; return this; }
        public Builder target(Target v) { this.target = v; return this; }
        public Builder threshold(Threshold v) { this.threshold = v; return this; }
        public Builder bestIterate(boolean v) { this.bestIterate = v; return this; }
        public Builder biasCompensation(boolean v) { this.biasCompensation = v; return this; }
        /** Sets what {@code v} fixes (see {@link Variant#applyTo}). */
        public Builder variant(Variant v) { return v.applyTo(this); }

        /**
         * i-SpaSP's settings as a user gives them (the CLI's options, the API's builder): the variant first, then each
         * single setting, which overrides what the variant set. Null means not given.
         */
        public Builder settings(Variant variant, Score score, Boolean refit, Threshold threshold, Boolean biasCompensation,
                                Boolean bestIterate, Target target) {
            if (variant != null) variant(variant);
            if (score != null) score(score);
            if (refit != null) refit(refit);
            if (threshold != null) threshold(threshold);
            if (biasCompensation != null) biasCompensation(biasCompensation);
            if (bestIterate != null) bestIterate(bestIterate);
            if (target != null) target(target);
            return this;
        }
        public Builder gfsCandidates(int v) { this.gfsCandidates = v; return this; }
        public Builder gfsBatch(int v) { this.gfsBatch = v; return this; }
        public Builder seed(long v) { this.seed = v; return this; }
        public Builder batchSize(int v) { this.batchSize = v; return this; }
        public Builder earlyStop(boolean v) { this.earlyStop = v; return this; }
        public Builder device(Device v) { this.device = java.util.Objects.requireNonNull(v, "device"); return this; }
        /** Bytes of carried activations kept in memory; see {@link PruneOptions#memory()}. */
        public Builder memory(long bytes) { this.memory = bytes; return this; }
        /** The spill folder, or null to recompute instead of spilling; see {@link PruneOptions#spill()}. */
        public Builder spill(java.nio.file.Path folder) { this.spill = folder; return this; }

        public PruneOptions build() {
            if (method == null || score == null || path == null || target == null || threshold == null) {
                throw new IllegalArgumentException("method, score, path, target and threshold must be set");
            }
            if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("ratio must be in (0, 1], got " + ratio);
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            if (calibration < 1) throw new IllegalArgumentException("calibration samples must be >= 1, got " + calibration);
            if (!(refitLambda >= 0) || Double.isInfinite(refitLambda)) throw new IllegalArgumentException("refit lambda must be >= 0, got " + refitLambda);
            if (gfsCandidates < 0) throw new IllegalArgumentException("gfs candidates must be >= 0, got " + gfsCandidates);
            if (gfsBatch < 1) throw new IllegalArgumentException("gfs batch must be >= 1, got " + gfsBatch);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            if (memory < -1) throw new IllegalArgumentException("memory must be >= 0 bytes, got " + memory);
            return new PruneOptions(this);
        }
    }
}
