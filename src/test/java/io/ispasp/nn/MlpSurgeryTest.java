package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Surgery on an MLP against a float64 plain-Java forward with the dropped groups masked. */
class MlpSurgeryTest {
    private static final int[] SIZES = {7, 9, 8, 5, 3};

    static int[] sizes(Network m) { return ((Mlp) m.architecture()).sizes(); }

    static float[] weight(Network m, int layer) { return Tensors.floats(m.tensor(2 * layer + ".weight")); }

    static float[] bias(Network m, int layer) { return Tensors.floats(m.tensor(2 * layer + ".bias")); }

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
    static double[] maskedForward(Network m, float[] x, int rows, int unit, double[] mask) {
        int[] s = sizes(m);
        double[] h = new double[x.length];
        for (int i = 0; i < x.length; i++) h[i] = x[i];
        for (int l = 0; l < s.length - 1; l++) {
            float[] w = weight(m, l), b = bias(m, l);
            int in = s[l], out = s[l + 1];
            double[] next = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double acc = b[o];
                    for (int i = 0; i < in; i++) acc += (double) w[o * in + i] * h[r * in + i];
                    if (l + 2 < s.length) acc = Math.max(0, acc);
                    if (l == unit && mask != null) acc *= mask[o];
                    next[r * out + o] = acc;
                }
            }
            h = next;
        }
        return h;
    }

    private static float[] logits(Network m, float[] x, int rows) {
        try (PointerScope s = new PointerScope()) {
            return Tensors.floats(m.forward(Tensors.of(x, rows, sizes(m)[0])));
        }
    }

    @Test
    void pruningEqualsMaskingTheDroppedUnits() {
        Network dense = Network.random(Mlp.relu(SIZES), 42);
        int rows = 16;
        float[] x = randomInput(rows, 7, 1);
        int[] kept = {0, 3, 4, 7};
        double[] mask = {1, 0, 0, 1, 1, 0, 0, 1}; // zeroes units 1, 2, 5, 6
        double[] expected = maskedForward(dense, x, rows, 1, mask);
        float[] got = logits(Surgery.keep(dense, 1, kept), x, rows);
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
        Network dense = Network.random(Mlp.relu(SIZES), 5);
        float[] x = randomInput(10, 7, 2);
        double[] expected = maskedForward(dense, x, 10, 0, null);
        float[] got = logits(dense, x, 10);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5);
    }

    @Test
    void keepingAllUnitsGivesTheDenseModel() {
        Network dense = Network.random(Mlp.relu(SIZES), 43);
        float[] x = randomInput(12, 7, 3);
        for (int unit = 0; unit < dense.units().size(); unit++) {
            int n = dense.unit(unit).groups();
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            Network same = Surgery.keep(dense, unit, all);
            assertArrayEquals(dense.widths(), same.widths());
            assertArrayEquals(logits(dense, x, 12), logits(same, x, 12), 0f, "unit " + unit);
        }
    }

    @Test
    void prunedSizesParamsAndFlops() {
        Network dense = Network.random(Mlp.relu(SIZES), 44);
        assertEquals(7 * 9 + 9 + 9 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3, dense.params());
        assertEquals(7 * 9 + 9 * 8 + 8 * 5 + 5 * 3, dense.complexity(0).flops());
        Network pruned = Surgery.keep(dense, 1, new int[] {0, 3, 4, 7});
        assertArrayEquals(new int[] {9, 4, 5}, pruned.widths());
        assertEquals(4, pruned.unit(1).groups());
        assertEquals(7 * 9 + 9 + 9 * 4 + 4 + 4 * 5 + 5 + 5 * 3 + 3, pruned.params());
        assertEquals(7 * 9 + 9 * 4 + 4 * 5 + 5 * 3, pruned.complexity(0).flops());
        assertEquals(4 * 9, weight(pruned, 1).length);
        assertEquals(5 * 4, weight(pruned, 2).length);
        // the dense model is untouched
        assertArrayEquals(new int[] {9, 8, 5}, dense.widths());
    }

    @Test
    void columnScaleAndRefitWeight() {
        Network dense = Network.random(Mlp.relu(SIZES), 45);
        int[] kept = {2, 6};
        Network scaled = Surgery.keep(dense, 0, kept, 2f, null);
        float[] w1 = weight(dense, 1), got = weight(scaled, 1);
        for (int o = 0; o < 8; o++) {
            for (int i = 0; i < 2; i++) assertEquals(2f * w1[o * 9 + kept[i]], got[o * 2 + i], 0f);
        }
        float[] refit = new float[8 * 2];
        for (int i = 0; i < refit.length; i++) refit[i] = i;
        assertArrayEquals(refit, weight(Surgery.keep(dense, 0, kept, 1f, Tensors.of(refit, 8, 2)), 1), 0f);
        assertThrows(IllegalArgumentException.class, () -> Surgery.keep(dense, 0, kept, 1f, Tensors.of(new float[3], 3)));
        assertThrows(IllegalArgumentException.class, () -> Surgery.keep(dense, 0, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Surgery.keep(dense, 0, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> Surgery.keep(dense, 0, new int[] {9}));
        assertThrows(IllegalArgumentException.class, () -> Surgery.keep(dense, 3, new int[] {0}));
    }

    @Test
    void modelBuiltInsideAPointerScopeOutlivesIt() {
        Network dense = Network.random(Mlp.relu(SIZES), 46);
        Network inner;
        try (PointerScope s = new PointerScope()) {
            inner = Surgery.keep(dense, 1, new int[] {0, 1});
        }
        System.gc();
        assertArrayEquals(bias(dense, 0), bias(inner, 0), 0f);
        float[] x = randomInput(3, 7, 4);
        assertEquals(9, logits(inner, x, 3).length);
    }
}
