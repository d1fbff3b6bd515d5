package io.ispasp.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ispasp.core.Score;
import io.ispasp.bench.RawUnit;
import static io.ispasp.bench.RawUnit.maxAbs;
import static io.ispasp.bench.RawUnit.randomSupport;
import static io.ispasp.bench.RawUnit.squares;
import io.ispasp.prune.Evaluation;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.NativeOracle;
import io.ispasp.prune.TopK;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel of every backend present against the slow obvious float64 answer on fresh random inputs: odd sizes,
 * n not a multiple of the tiles, k = 1 and k = n, ties. The CUDA backend joins where a GPU exists; otherwise
 * {@link #cudaBackend()} is reported as skipped, with the reason.
 */
class KernelsMatchReferenceTest {
    // n, out, rows; {20, 15, ..} takes the wide-B set-up route (CW = Gamma M), the others the narrow one (CW = C W)
    private static final int[][] SHAPES = {{1, 1, 3}, {7, 3, 40}, {20, 15, 90}, {33, 10, 257}, {70, 1, 130}, {130, 37, 300}};

    static List<Kernels> backends() {
        List<Kernels> b = new ArrayList<>();
        b.add(Backends.cpu());
        Kernels cuda = Backends.cudaOrNull();
        if (cuda != null) b.add(cuda);
        return b;
    }

    static Stream<Arguments> unitCases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (Kernels k : backends())
            for (int[] shape : SHAPES)
                for (Score score : Score.values())
                    for (boolean original : new boolean[] {false, true}) s.add(Arguments.of(k, shape[0], shape[1], shape[2], score, original));
        return s.build();
    }

    static Stream<Kernels> allBackends() { return backends().stream(); }

    @Test
    void cudaBackend() {
        Assumptions.assumeTrue(CudaGate.available(), "CUDA kernels not checked here: " + CudaGate.status());
        assertTrue(backends().size() == 2);
    }

    @ParameterizedTest
    @MethodSource("allBackends")
    void statisticsMatchFloat64(Kernels kernels) {
        for (int[] shape : new int[][] {{1, 1}, {5, 3}, {17, 300}, {70, 130}, {130, 4200}, {257, 64}}) {
            int n = shape[0], rows = shape[1];
            RawUnit u = new RawUnit(rows, n, 1, false, 31L * n + rows, 0);
            double[] mass = u.mass(), gram = u.gram();
            for (boolean fp64 : new boolean[] {true, false}) {
                StatisticsAccumulator.Result r;
                try (StatisticsAccumulator acc = kernels.statistics(n, fp64); PointerScope scope = new PointerScope()) {
                    // two calls: the sums must carry over
                    int first = rows / 3;
                    FloatPointer all = new FloatPointer(u.h);
                    acc.add(all, first);
                    acc.add(all.getPointer((long) first * n), rows - first);
                    assertEquals(rows, acc.rows());
                    r = acc.result();
                }
                String what = kernels.name() + " n=" + n + " rows=" + rows + " fp64=" + fp64;
                assertRelative(mass, r.mass(), 1e-6, what + " mass");
                assertRelative(gram, r.gram(), 1e-5, what + " gram");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("unitCases")
    void unitMatchesRawData(Kernels kernels, int n, int out, int rows, Score score, boolean original) {
        RawUnit raw = new RawUnit(rows, n, out, original, 7L * n + out + (original ? 1 : 0), n >= 8 ? 3 : 0);
        SplittableRandom r = new SplittableRandom(n * 131L + out);
        // exact statistics: the unit's own arithmetic must be float64-accurate
        try (UnitKernel unit = kernels.unit(raw.inputs(raw.gram(), raw.mass()), score)) {
            double[] none = new double[1];
            double[] emptyRef = raw.scores(new int[0], score, none);
            List<int[]> supports = new ArrayList<>(List.of(new int[0], all(n), new int[] {n - 1}));
            for (int t = 0; t < 5; t++) supports.add(randomSupport(r, n, 1 + r.nextInt(n)));
            boolean[][] masks = new boolean[supports.size()][n];
            double[] residuals = new double[supports.size()];
            for (int i = 0; i < supports.size(); i++) {
                int[] s = supports.get(i);
                double[] res = new double[1];
                double[] ref = raw.scores(s, score, res);
                UnitKernel.Evaluation e = unit.evaluate(s, true);
                double[] got = score == Score.GROUP_NORM ? squares(e.scores()) : e.scores();
                String what = kernels.name() + " " + score + (original ? " original" : " current") + " n=" + n + " out=" + out + " |S|=" + s.length;
                assertRelative(ref, got, 1e-9, maxAbs(emptyRef), what + " scores");
                assertEquals(res[0], e.residual(), 1e-9 * Math.max(1, none[0]), what + " residual");
                for (int j : s) masks[i][j] = true;
                residuals[i] = res[0];
            }
            assertRelative(residuals, unit.residuals(masks), 1e-9, none[0], "batched residuals");
        }
    }

    @ParameterizedTest
    @MethodSource("unitCases")
    void fusedLoopMatchesJavaLoop(Kernels kernels, int n, int out, int rows, Score score, boolean original) {
        RawUnit raw = new RawUnit(rows, n, out, original, 11L * n + out, n >= 8 ? 3 : 0);
        StatisticsAccumulator.Result stats;
        try (StatisticsAccumulator acc = kernels.statistics(n, true); PointerScope scope = new PointerScope()) {
            acc.add(new FloatPointer(raw.h), rows);
            stats = acc.result();
        }
        for (int keep : new int[] {1, Math.max(1, n / 5), n}) {
            for (boolean earlyStop : new boolean[] {false, true}) {
                try (NativeOracle oracle = new NativeOracle(kernels.unit(raw.inputs(stats.gram(), stats.mass()), score), stats.mass())) {
                    IspaspSelector.Loop java = IspaspSelector.run(oracle, keep, 6, earlyStop);
                    IspaspSelector.Loop fused = oracle.run(keep, 6, earlyStop);
                    String what = kernels.name() + " " + score + " n=" + n + " keep=" + keep + " earlyStop=" + earlyStop;
                    assertArrayEquals(java.support(), fused.support(), what + " support");
                    assertEquals(java.iterationsRun(), fused.iterationsRun(), what + " iterations run");
                    assertRelative(java.residuals(), fused.residuals(), 1e-12, what + " trace");
                }
            }
        }
    }

    /**
     * The loop over groups of taps features (a 3x3 unit's channels) in one call against the Java loop over an oracle
     * that expands each group support to its features and forms the group scores plainly: summed feature scores, or
     * the sum of q[c][d] over the groups d outside the support.
     */
    @ParameterizedTest
    @MethodSource("allBackends")
    void groupedLoopMatchesJavaLoop(Kernels kernels) {
        SplittableRandom r = new SplittableRandom(21);
        for (int[] shape : new int[][] {{36, 9, 5}, {36, 3, 7}, {45, 9, 40}, {7, 1, 3}}) {
            int n = shape[0], taps = shape[1], out = shape[2], groups = n / taps;
            RawUnit raw = new RawUnit(160, n, out, false, 5L * n + taps, 0);
            double[] gmass = new double[groups];
            double[] fmass = raw.mass();
            for (int i = 0; i < n; i++) gmass[i / taps] += fmass[i];
            double[] q = r.doubles((long) groups * groups, -1, 1).toArray();
            for (Score score : new Score[] {Score.CORRELATION, Score.SIGNED_SUM}) {
                for (double[] qq : new double[][] {null, q}) {
                    try (UnitKernel unit = kernels.unit(raw.inputs(raw.gram(), fmass), score)) {
                        GroupOracle oracle = new GroupOracle(unit, taps, gmass, qq);
                        for (int keep : new int[] {1, Math.max(1, groups / 3), groups}) {
                            for (boolean earlyStop : new boolean[] {false, true}) {
                                String what = kernels.name() + " " + score + " n=" + n + " taps=" + taps + " q=" + (qq != null)
                                        + " keep=" + keep + " earlyStop=" + earlyStop;
                                IspaspSelector.Loop java = IspaspSelector.run(oracle, keep, 6, earlyStop);
                                UnitKernel.Run one = unit.runGroups(taps, gmass, qq, keep, 6, earlyStop);
                                assertArrayEquals(java.support(), one.support(), what + " support");
                                assertEquals(java.iterationsRun(), one.trace().length, what + " iterations run");
                                assertRelative(java.residuals(), one.trace(), 1e-12, what + " trace");
                            }
                        }
                        if (taps == 1 && qq == null) {
                            UnitKernel.Run plain = unit.run(2, 6, false), grouped = unit.runGroups(1, fmass, null, 2, 6, false);
                            assertArrayEquals(plain.support(), grouped.support(), "taps 1 is the plain loop");
                            assertArrayEquals(plain.trace(), grouped.trace(), "taps 1 is the plain loop");
                        }
                    }
                }
            }
        }
        RawUnit raw = new RawUnit(20, 6, 2, false, 1, 0);
        try (UnitKernel unit = kernels.unit(raw.inputs(raw.gram(), raw.mass()), Score.CORRELATION)) {
            assertThrows(IllegalArgumentException.class, () -> unit.runGroups(4, new double[1], null, 1, 3, false));
            KernelException e = assertThrows(KernelException.class, () -> unit.runGroups(3, new double[2], null, 3, 3, false));
            assertTrue(e.getMessage().contains("keep"), e.getMessage());
        }
    }

    /** Groups of taps consecutive features of a unit kernel, scored and evaluated the slow, obvious way. */
    private record GroupOracle(UnitKernel unit, int taps, double[] mass, double[] q) implements io.ispasp.prune.ScoreOracle {
        @Override public int groups() { return mass.length; }
        @Override public double[] activationMass() { return mass.clone(); }
        @Override public Evaluation evaluate(int[] support, boolean withScores) {
            int[] features = new int[support.length * taps];
            for (int i = 0; i < features.length; i++) features[i] = support[i / taps] * taps + i % taps;
            UnitKernel.Evaluation e = unit.evaluate(features, withScores && q == null);
            if (!withScores) return new Evaluation(null, e.residual());
            int n = mass.length;
            double[] g = new double[n];
            boolean[] kept = new boolean[n];
            for (int c : support) kept[c] = true;
            for (int c = 0; c < n; c++) {
                for (int k = 0; k < taps && q == null; k++) g[c] += e.scores()[c * taps + k];
                for (int d = 0; d < n && q != null; d++) if (!kept[d]) g[c] += q[c * n + d];
            }
            return new Evaluation(g, e.residual());
        }
        @Override public KeptStatistics kept(int[] support) { throw new UnsupportedOperationException(); }
        @Override public GroupGrams groupGrams() { throw new UnsupportedOperationException(); }
        @Override public void close() {}
    }

    /** Group-norm keeps per-support state updated incrementally; walk supports that change by 0 to 40 groups. */
    @ParameterizedTest
    @MethodSource("allBackends")
    void groupNormIncrementalUpdatesStayExact(Kernels kernels) {
        int n = 150;
        RawUnit raw = new RawUnit(200, n, 12, false, 17, 0);
        SplittableRandom r = new SplittableRandom(8);
        try (UnitKernel unit = kernels.unit(raw.inputs(raw.gram(), raw.mass()), Score.GROUP_NORM)) {
            double[] none = new double[1];
            double scale = maxAbs(raw.scores(new int[0], Score.GROUP_NORM, none));
            int[] support = randomSupport(r, n, 60);
            for (int swaps : new int[] {0, 1, 3, 8, 9, 12, 40, 2, 0, 60}) {
                support = swap(r, support, n, swaps);
                double[] ref = raw.scores(support, Score.GROUP_NORM, none);
                double[] got = squares(unit.evaluate(support, true).scores());
                assertRelative(ref, got, 1e-9, scale, kernels.name() + " after swapping " + swaps + " groups");
            }
        }
    }

    /** Replaces `count` members of the support by non-members (keeps the size). */
    static int[] swap(SplittableRandom r, int[] support, int n, int count) {
        java.util.TreeSet<Integer> in = new java.util.TreeSet<>();
        for (int i : support) in.add(i);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) if (!in.contains(i)) out.add(i);
        List<Integer> members = new ArrayList<>(in);
        count = Math.min(count, Math.min(members.size(), out.size()));
        for (int c = 0; c < count; c++) {
            in.remove(members.remove(r.nextInt(members.size())));
            in.add(out.remove(r.nextInt(out.size())));
        }
        return in.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest
    @MethodSource("allBackends")
    void topKMatchesSortWithTiesAndNaN(Kernels kernels) {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 60; trial++) {
            int n = trial < 50 ? 1 + r.nextInt(400) : 50_000 + r.nextInt(100_000);
            double[] x = new double[n];
            float[] xf = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(30);
                x[i] = kind == 0 ? Double.NaN : kind == 1 ? Double.NEGATIVE_INFINITY : kind == 2 ? Double.POSITIVE_INFINITY : kind == 3 ? -0.0
                        : kind < 12 ? Math.floor(r.nextGaussian() * 3) : r.nextGaussian();   // many exact ties
                xf[i] = (float) x[i];
            }
            double[] xfd = new double[n];
            for (int i = 0; i < n; i++) xfd[i] = xf[i];
            for (int k : new int[] {0, 1, n / 3, n - 1, n}) {
                if (k < 0) continue;
                assertArrayEquals(TopK.indices(x, k), kernels.topK(x, k), kernels.name() + " f64 n=" + n + " k=" + k);
                assertArrayEquals(TopK.indices(xfd, k), kernels.topK(xf, k), kernels.name() + " f32 n=" + n + " k=" + k);
                try (PointerScope scope = new PointerScope()) {
                    assertArrayEquals(TopK.indices(xfd, k), kernels.topK(new FloatPointer(xf), n, k), kernels.name() + " native f32 n=" + n + " k=" + k);
                }
            }
        }
    }

    /** Band sums against plain loops, and every rectangle a 3x3 unit needs rebuilt from the bands. */
    @ParameterizedTest
    @MethodSource("allBackends")
    void bandSumsGiveTheShiftedRectangles(Kernels kernels) {
        SplittableRandom r = new SplittableRandom(12);
        for (int[] shape : new int[][] {{3, 5, 4, 4}, {2, 3, 7, 9}, {4, 17, 16, 16}}) {
            int images = shape[0], channels = shape[1], height = shape[2], width = shape[3];
            float[] h = new float[images * channels * height * width];
            for (int i = 0; i < h.length; i++) h[i] = (float) Math.max(0, r.nextGaussian());
            double[] bands = new double[channels * 25];
            try (PointerScope scope = new PointerScope()) {
                FloatPointer p = new FloatPointer(h);
                kernels.bandSums(p, 1, channels, height, width, bands);     // first image, then the rest: sums add up
                kernels.bandSums(p.getPointer((long) channels * height * width), images - 1, channels, height, width, bands);
            }
            for (int c = 0; c < channels; c++) {
                for (int r0 = 0; r0 <= 2; r0++) for (int r1 = height - 2; r1 <= height; r1++)
                    for (int c0 = 0; c0 <= 2; c0++) for (int c1 = width - 2; c1 <= width; c1++) {
                        double want = 0, got = 0;
                        for (int img = 0; img < images; img++)
                            for (int y = r0; y < r1; y++)
                                for (int x = c0; x < c1; x++) want += h[((img * channels + c) * height + y) * width + x];
                        // the rectangle's rows [r0, r1) cover bands r0.. and end before band 5 - (height - r1)
                        for (int by = r0; by < 5 - (height - r1); by++)
                            for (int bx = c0; bx < 5 - (width - c1); bx++) got += bands[c * 25 + by * 5 + bx];
                        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)),
                                kernels.name() + " channel " + c + " rows [" + r0 + "," + r1 + ") cols [" + c0 + "," + c1 + ")");
                    }
            }
        }
        try (PointerScope scope = new PointerScope()) {
            assertThrows(KernelException.class, () -> kernels.bandSums(new FloatPointer(27), 1, 1, 3, 9, new double[25]));
        }
    }

    @ParameterizedTest
    @MethodSource("allBackends")
    void badArgumentsAreClearErrors(Kernels kernels) {
        assertThrows(IllegalArgumentException.class, () -> kernels.topK(new float[3], 4));
        assertThrows(IllegalArgumentException.class, () -> kernels.statistics(0, true));
        RawUnit raw = new RawUnit(20, 6, 2, false, 1, 0);
        try (UnitKernel unit = kernels.unit(raw.inputs(raw.gram(), raw.mass()), Score.SIGNED_SUM)) {
            KernelException e = assertThrows(KernelException.class, () -> unit.evaluate(new int[] {3, 1}, true));
            assertTrue(e.getMessage().contains("ascending"), e.getMessage());
            assertThrows(KernelException.class, () -> unit.evaluate(new int[] {6}, true));
            assertThrows(KernelException.class, () -> unit.run(7, 3, true));
        }
        assertThrows(IllegalArgumentException.class, () -> new UnitInputs(3, 1, new double[8], new double[3], new double[3], null, null, null, 0));
    }

    static int[] all(int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = i;
        return s;
    }

    static void assertRelative(double[] expected, double[] actual, double rel, String what) {
        assertRelative(expected, actual, rel, 0, what);
    }

    /** max |expected - actual| <= rel * max(minScale, max |expected|). */
    static void assertRelative(double[] expected, double[] actual, double rel, double minScale, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = Math.max(1e-300, Math.max(minScale, maxAbs(expected)));
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= rel * scale, what + ": max abs diff " + worst + " vs scale " + scale + " (rel " + worst / scale + ")");
    }
}
