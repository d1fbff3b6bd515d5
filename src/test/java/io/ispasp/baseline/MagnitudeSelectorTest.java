package io.ispasp.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.nn.Network;
import io.ispasp.prune.Selection;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MagnitudeSelectorTest {

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /** On a random net, the kept rows are the top-s by L1 norm found by a plain sort, on both units. */
    @Test
    void keepsLargestL1Rows() {
        int[] sizes = {8, 12, 9, 4};
        Network model = Fixtures.mlp(sizes, 31);
        Fixtures.Data data = Fixtures.randomData(4, 8, 4, 1);
        for (int unit = 0; unit < 2; unit++) {
            int n = sizes[unit + 1], in = sizes[unit];
            float[] w = io.ispasp.engine.Tensors.floats(model.tensor(2 * unit + ".weight"));
            Integer[] idx = new Integer[n];
            double[] l1 = new double[n];
            for (int r = 0; r < n; r++) {
                idx[r] = r;
                for (int c = 0; c < in; c++) l1[r] += Math.abs(w[r * in + c]);
            }
            Arrays.sort(idx, (a, b) -> Double.compare(l1[b], l1[a]));
            for (int s = 1; s <= n; s++) {
                int[] expected = Arrays.stream(idx).limit(s).mapToInt(Integer::intValue).sorted().toArray();
                Selection sel = Baselines.magnitude().select(Fixtures.context(model, unit, data.set(), options(s, n)));
                assertArrayEquals(expected, sel.kept(), "unit " + unit + " s " + s);
                assertEquals(1f, sel.columnScale(), 0f);
            }
        }
    }

    /** Rows 1, 3 and 4 have the same L1 norm (sign and order differ); the cut falls inside the tie. */
    @Test
    void tiesGoToLowerIndex() {
        float[] w0 = {
            0.1f, 0.1f, 0.1f,    // 0: 0.3
            1.0f, -2.0f, 0.5f,   // 1: 3.5
            5.0f, 0.0f, 0.0f,    // 2: 5.0
            -0.5f, 1.0f, 2.0f,   // 3: 3.5
            2.0f, 0.5f, -1.0f,   // 4: 3.5
        };
        List<float[]> w = new ArrayList<>(List.of(w0, new float[2 * 5]));
        List<float[]> b = new ArrayList<>(List.of(new float[5], new float[2]));
        Network model = Fixtures.mlp(new int[] {3, 5, 2}, w, b);
        Fixtures.Data data = Fixtures.randomData(2, 3, 2, 1);
        assertArrayEquals(new int[] {1, 2}, keep(model, data, 2));
        assertArrayEquals(new int[] {1, 2, 3}, keep(model, data, 3));
        assertArrayEquals(new int[] {1, 2, 3, 4}, keep(model, data, 4));
        assertArrayEquals(new int[] {2}, keep(model, data, 1));
    }

    /** The shared ranking helper: descending score, ties by lower index, output sorted. */
    @Test
    void largestHelper() {
        double[] score = {1, 3, 3, 0, 3};
        assertArrayEquals(new int[] {1, 2}, io.ispasp.prune.TopK.indices(score, 2));
        assertArrayEquals(new int[] {0, 1, 2, 4}, io.ispasp.prune.TopK.indices(score, 4));
    }

    private static int[] keep(Network model, Fixtures.Data data, int s) {
        return Baselines.magnitude().select(Fixtures.context(model, 0, data.set(), options(s, 5))).kept();
    }

    private static PruneOptions options(int s, int n) {
        return PruneOptions.builder().method(Method.MAGNITUDE).ratio(Fixtures.ratioFor(s, n)).build();
    }
}
