package io.ispasp.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.data.Dataset;
import io.ispasp.job.DataCalibration;
import io.ispasp.kernels.Backends;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.DirectOracle;
import io.ispasp.prune.NativeOracle;
import io.ispasp.prune.Evaluation;
import io.ispasp.prune.StatisticsOracle;
import io.ispasp.prune.UnitData;
import io.ispasp.prune.UnitStatistics;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One i-SpaSP iteration (scores and residual for a support of N/10 groups) for a unit with N groups and an N-wide
 * B: the C++ kernels (fresh support each call, and the fused loop per iteration), the libtorch statistics
 * reference, and the direct path over 2N calibration rows.
 * Run: {@code java -cp ... org.openjdk.jmh.Main StatisticsIterationBench -f 1 -wi 2 -i 3 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StatisticsIterationBench {
    @Param({"1024", "4096"})
    public int n;

    @Param({"signed-sum", "group-norm", "correlation"})
    public String score;

    private UnitStatistics stats;
    private StatisticsOracle fast;
    private DirectOracle direct;
    private NativeOracle cpp;
    private int[] support;
    private int[] other;
    private boolean flip;
    private boolean[][] masks;
    private int[][] supports;
    private Network model;

    @Setup(Level.Trial)
    public void setUp() {
        TorchRuntime.init();
        Score sc = Score.parse(score);
        int features = 16, rows = 2 * n;
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        Dataset data = new Dataset(x, new int[rows], features, 1);
        model = Network.random(Mlp.relu(features, n, n), 3);
        PruneOptions o = PruneOptions.builder().ratio(0.1).score(sc).batchSize(1024).build();
        UnitData unit = new UnitData(model, model, 0, n / 10, DataCalibration.of(data, false), o);
        try (PointerScope scope = new PointerScope()) { // the oracles keep their own copies of B's weight
            stats = UnitStatistics.gather(unit);
            fast = new StatisticsOracle(stats, unit.bWeight(), sc);
            direct = new DirectOracle(unit, sc);
            cpp = new NativeOracle(Backends.cpu().unit(stats.inputs(), sc), stats.activationMass());
        }
        support = randomSupport(r, n / 10);
        other = randomSupport(r, n / 10);
        supports = new int[RESIDUAL_BATCH][];
        masks = new boolean[RESIDUAL_BATCH][n];
        for (int b = 0; b < RESIDUAL_BATCH; b++) {
            supports[b] = randomSupport(r, n / 10);
            for (int i : supports[b]) masks[b][i] = true;
        }
    }

    private static final int RESIDUAL_BATCH = 64;

    /** Kernel 3: ||R||^2 of 64 supports in one C++ call; reported per support. */
    @Benchmark
    @OperationsPerInvocation(RESIDUAL_BATCH)
    public double[] cppBatchedResiduals() {
        return cpp.residuals(masks);
    }

    /** The libtorch reference of kernel 3: one evaluation (no scores) per support; reported per support. */
    @Benchmark
    @OperationsPerInvocation(RESIDUAL_BATCH)
    public double statisticsResiduals() {
        double sum = 0;
        for (int[] s : supports) sum += fast.evaluate(s, false).residual();
        return sum;
    }

    private int[] randomSupport(SplittableRandom r, int s) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < s; i++) {
            int j = i + r.nextInt(n - i);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        return java.util.Arrays.stream(perm, 0, s).sorted().toArray();
    }

    /** C++ kernel, worst case: every call a support unrelated to the last one (no incremental update helps). */
    @Benchmark
    public Evaluation cppIterationFreshSupport() {
        flip = !flip;
        return cpp.evaluate(flip ? support : other, true);
    }

    /** C++ fused loop, T = 20 without early stop from the empty support; reported per iteration. */
    @Benchmark
    @OperationsPerInvocation(20)
    public int[] cppFusedLoopPerIteration() {
        return cpp.run(n / 10, 20, false).support();
    }

    @Benchmark
    public Evaluation statisticsIteration() {
        return fast.evaluate(support, true);
    }

    @Benchmark
    public Evaluation directIteration() {
        return direct.evaluate(support, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fast.close();
        direct.close();
        cpp.close();
        model.close();
    }
}
