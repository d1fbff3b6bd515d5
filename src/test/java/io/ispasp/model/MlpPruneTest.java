package io.ispasp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MlpPruneTest {
    private static final int[] SIZES = {7, 9, 8, 5, 3};

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    private static float[] randomInput(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-2, 2);
        return x;
    }

    /** Dense forward in float64 plain Java, with the post-ReLU outputs of hidden layer {@code unit} multiplied by {@code mask}. */
    static double[] maskedForward(Mlp m, float[] x, int rows, int unit, double[] mask) {
        int[] s = m.sizes();
        double[] h = new double[x.length];
        for (int i = 0; i < x.length; i++) h[i] = x[i];
        for (int l = 0; l < m.layers(); l++) {
            float[] w = m.weightArray(l), b = m.biasArray(l);
            int in = s[l], out = s[l + 1];
            double[] next = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double acc = b[o];
                    for (int i = 0; i < in; i++) acc += (double) w[o * in + i] * h[r * in + i];
                    if (l + 1 < m.layers()) acc = Math.max(0, acc);
                    if (l == unit && mask != null) acc *= mask[o];
                    next[r * out + o] = acc;
                }
            }
            h = next;
        }
        return h;
    }

    private static float[] logits(Mlp m, float[] x, int rows) {
        try (PointerScope s = new PointerScope()) {
            return Tensors.floats(m.forward(Tensors.of(x, rows, m.inputSize())));
        }
    }

    @Test
    void pruningEqualsMaskingTheDroppedUnits() {
        Mlp dense = Mlp.random(SIZES, 42);
        int rows = 16;
        float[] x = randomInput(rows, 7, 1);
        int[] kept = {0, 3, 4, 7};
        double[] mask = {1, 0, 0, 1, 1, 0, 0, 1}; // zeroes units 1, 2, 5, 6
        double[] expected = maskedForward(dense, x, rows, 1, mask);
        float[] got = logits(dense.prune(1, kept, null, 1f), x, rows);
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5, "logit " + i);
        // the masked reference really differs from the dense model, so the check means something
        double[] unmasked = maskedForward(dense, x, rows, 1, null);
        double diff = 0;
        for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(unmasked[i] - expected[i]));
        assertEquals(true, diff > 1e-3, "masking should change the logits, max change " + diff);
    }

    @Test
    void tensorForwardMatchesPlainJava() {
        Mlp dense = Mlp.random(SIZES, 5);
        float[] x = randomInput(10, 7, 2);
        double[] expected = maskedForward(dense, x, 10, 0, null);
        float[] got = logits(dense, x, 10);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5);
    }

    @Test
    void keepingAllUnitsGivesTheDenseModel() {
        Mlp dense = Mlp.random(SIZES, 43);
        float[] x = randomInput(12, 7, 3);
        for (int unit = 0; unit < dense.hiddenLayers(); unit++) {
            int n = dense.hiddenSize(unit);
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            Mlp same = dense.prune(unit, all, null, 1f);
            assertArrayEquals(dense.sizes(), same.sizes());
            assertArrayEquals(logits(dense, x, 12), logits(same, x, 12), 0f, "unit " + unit);
        }
    }

    @Test
    void prunedSizesParamsAndFlops() {
        Mlp dense = Mlp.random(SIZES, 44);
        assertEquals(7 * 9 + 9 + 9 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3, dense.params());
        assertEquals(7 * 9 + 9 * 8 + 8 * 5 + 5 * 3, dense.flops());
        Mlp pruned = dense.prune(1, new int[] {0, 3, 4, 7}, null, 1f);
        assertArrayEquals(new int[] {7, 9, 4, 5, 3}, pruned.sizes());
        assertEquals(4, pruned.hiddenSize(1));
        assertEquals(7 * 9 + 9 + 9 * 4 + 4 + 4 * 5 + 5 + 5 * 3 + 3, pruned.params());
        assertEquals(7 * 9 + 9 * 4 + 4 * 5 + 5 * 3, pruned.flops());
        assertEquals(4 * 9, pruned.weightArray(1).length);
        assertEquals(5 * 4, pruned.weightArray(2).length);
        // the dense model is untouched
        assertArrayEquals(SIZES, dense.sizes());
    }

    @Test
    void columnScaleAndRefitWeight() {
        Mlp dense = Mlp.random(SIZES, 45);
        int[] kept = {2, 6};
        Mlp scaled = dense.prune(0, kept, null, 2f);
        float[] w1 = dense.weightArray(1), got = scaled.weightArray(1);
        for (int o = 0; o < 8; o++) {
            for (int i = 0; i < 2; i++) assertEquals(2f * w1[o * 9 + kept[i]], got[o * 2 + i], 0f);
        }
        float[] refit = new float[8 * 2];
        for (int i = 0; i < refit.length; i++) refit[i] = i;
        assertArrayEquals(refit, dense.prune(0, kept, refit, 1f).weightArray(1), 0f);
        assertThrows(IllegalArgumentException.class, () -> dense.prune(0, kept, new float[3], 1f));
        assertThrows(IllegalArgumentException.class, () -> dense.prune(0, new int[0], null, 1f));
        assertThrows(IllegalArgumentException.class, () -> dense.prune(0, new int[] {1, 1}, null, 1f));
        assertThrows(IllegalArgumentException.class, () -> dense.prune(0, new int[] {9}, null, 1f));
        assertThrows(IllegalArgumentException.class, () -> dense.prune(3, new int[] {0}, null, 1f));
    }

    @Test
    void modelBuiltInsideAPointerScopeOutlivesIt() {
        Mlp dense = Mlp.random(SIZES, 46);
        Mlp inner;
        try (PointerScope s = new PointerScope()) {
            inner = dense.prune(1, new int[] {0, 1}, null, 1f);
        }
        System.gc();
        assertArrayEquals(dense.biasArray(0), inner.biasArray(0), 0f);
        float[] x = randomInput(3, 7, 4);
        assertEquals(9, logits(inner, x, 3).length);
    }
}
