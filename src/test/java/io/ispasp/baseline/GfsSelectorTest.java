package io.ispasp.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.nn.Network;
import io.ispasp.prune.Selection;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GfsSelectorTest {
    private static final int[] SIZES = {6, 10, 7, 3};
    private static final int[] ALL_64 = java.util.stream.IntStream.range(0, 64).toArray();

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /**
     * Exact GFS with one fixed mini-batch (all 64 rows every step) against an independent float64 brute force:
     * the same greedy order for every s, on both units (unit 1 exercises the prefix).
     */
    @Test
    void exactGfsMatchesBruteForceGreedy() {
        Network model = Fixtures.mlp(SIZES, 11);
        Fixtures.Data data = Fixtures.randomData(64, 6, 3, 12);
        Fixtures.Net net = new Fixtures.Net(model);
        for (int unit = 0; unit < 2; unit++) {
            int n = model.unit(unit).groups();
            int[] greedy = bruteForceGreedy(net, data, unit, n - 1, step -> ALL_64);
            for (int s = 1; s < n; s++) {
                PruneOptions opts = PruneOptions.builder().method(Method.GFS).ratio(Fixtures.ratioFor(s, n))
                        .gfsBatch(64).gfsCandidates(0).seed(5).build();
                Selection sel = new GfsSelector().select(Fixtures.context(model, unit, data.set(), opts));
                int[] expected = Arrays.copyOf(greedy, s);
                Arrays.sort(expected);
                assertArrayEquals(expected, sel.kept(), "unit " + unit + " s " + s);
                assertEquals((float) n / s, sel.columnScale(), 0f);
                assertEquals("-", sel.path());
                assertEquals(s, sel.iterationsRun());
            }
        }
    }

    /**
     * The mini-batch replay hook: a different row subset every step (a shuffled order cut into batches of 24,
     * last batch shorter) must give the brute force run on the same subsets.
     */
    @Test
    void replayedMiniBatchesMatchBruteForce() {
        Network model = Fixtures.mlp(SIZES, 13);
        Fixtures.Data data = Fixtures.randomData(64, 6, 3, 14);
        Fixtures.Net net = new Fixtures.Net(model);
        int unit = 1, n = 7, s = 5;
        GfsSelector.MiniBatches source = new GfsSelector.MiniBatches(64, 24, new SplittableRandom(2));
        int[][] batches = new int[s][];
        for (int i = 0; i < s; i++) batches[i] = source.next();
        PruneOptions opts = PruneOptions.builder().method(Method.GFS).ratio(Fixtures.ratioFor(s, n))
                .gfsCandidates(0).build();
        Selection sel = new GfsSelector().select(Fixtures.context(model, unit, data.set(), opts),
                step -> batches[step], new SplittableRandom(0));
        int[] expected = bruteForceGreedy(net, data, unit, s, step -> batches[step]);
        Arrays.sort(expected);
        assertArrayEquals(expected, sel.kept());
    }

    /** Candidate sampling (K < remaining) and shuffled mini-batches are reproducible for a seed. */
    @Test
    void sampledGfsIsReproducible() {
        Network model = Fixtures.mlp(SIZES, 21);
        Fixtures.Data data = Fixtures.randomData(100, 6, 3, 22);
        PruneOptions opts = PruneOptions.builder().method(Method.GFS).ratio(0.5).gfsBatch(16).gfsCandidates(3)
                .seed(9).build();
        Selection a = new GfsSelector().select(Fixtures.context(model, 0, data.set(), opts));
        Selection b = new GfsSelector().select(Fixtures.context(model, 0, data.set(), opts));
        assertArrayEquals(a.kept(), b.kept());
        assertEquals(5, a.kept().length);
        assertEquals(2f, a.columnScale(), 0f);
        assertTrue(a.dataSeconds() >= 0 && a.iterationSeconds() >= 0);
    }

    /** Sampled candidates are distinct unselected groups; K = 0 or K >= remaining gives all of them in order. */
    @Test
    void candidatesAreDistinctAndUnselected() {
        boolean[] chosen = new boolean[12];
        chosen[3] = chosen[7] = true;
        SplittableRandom rnd = new SplittableRandom(1);
        for (int trial = 0; trial < 50; trial++) {
            int[] c = GfsSelector.candidates(chosen, 4, rnd);
            assertEquals(4, c.length);
            assertEquals(4, Arrays.stream(c).distinct().count());
            for (int j : c) assertTrue(j >= 0 && j < 12 && !chosen[j]);
        }
        int[] all = {0, 1, 2, 4, 5, 6, 8, 9, 10, 11};
        assertArrayEquals(all, GfsSelector.candidates(chosen, 0, rnd));
        assertArrayEquals(all, GfsSelector.candidates(chosen, 10, rnd));
    }

    /** Each epoch of mini-batches visits every row once; the next epoch is a different shuffle. */
    @Test
    void miniBatchesCoverEachEpoch() {
        GfsSelector.MiniBatches mb = new GfsSelector.MiniBatches(10, 4, new SplittableRandom(3));
        int[][] epochs = new int[2][];
        for (int e = 0; e < 2; e++) {
            int[] a = mb.next(), b = mb.next(), c = mb.next();
            assertEquals(4, a.length);
            assertEquals(4, b.length);
            assertEquals(2, c.length);
            int[] all = new int[10];
            System.arraycopy(a, 0, all, 0, 4);
            System.arraycopy(b, 0, all, 4, 4);
            System.arraycopy(c, 0, all, 8, 2);
            epochs[e] = all.clone();
            Arrays.sort(all);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);
        }
        assertNotEquals(Arrays.toString(epochs[0]), Arrays.toString(epochs[1]));
    }

    /**
     * Independent greedy forward selection in float64: step n tries every unselected j with the kept channels
     * (selected plus j) multiplied by N/(n+1), scores the mean cross-entropy of the whole net on the step's rows
     * ({@code batchRows}), and adds the argmin (lowest index on ties). Returns the groups in the order added.
     */
    private static int[] bruteForceGreedy(Fixtures.Net net, Fixtures.Data data, int unit, int steps,
                                          IntFunction<int[]> batchRows) {
        int n = net.sizes[unit + 1];
        boolean[] chosen = new boolean[n];
        int[] order = new int[steps];
        for (int step = 0; step < steps; step++) {
            int[] rows = batchRows.apply(step);
            int[] labels = new int[rows.length];
            for (int r = 0; r < rows.length; r++) labels[r] = data.y()[rows[r]];
            double scale = (double) n / (step + 1);
            int best = -1;
            double bestLoss = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (chosen[j]) continue;
                double[] mask = new double[n];
                for (int c = 0; c < n; c++) if (chosen[c] || c == j) mask[c] = scale;
                double[][] logits = new double[rows.length][];
                for (int r = 0; r < rows.length; r++) logits[r] = net.maskedLogits(data.row(rows[r]), unit, mask);
                double loss = Fixtures.crossEntropy(logits, labels);
                if (loss < bestLoss) {
                    bestLoss = loss;
                    best = j;
                }
            }
            chosen[best] = true;
            order[step] = best;
        }
        return order;
    }
}
