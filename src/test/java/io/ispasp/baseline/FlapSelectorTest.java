package io.ispasp.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.Unit;
import io.ispasp.prune.Selection;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FLAP-style baseline against a plain float64 computation on a random MLP: the kept groups are the top-s by
 * (sample variance of the activation) x (squared norm of B's column), and the bias compensation leaves the mean of
 * B's output over the calibration rows what the dense unit gives.
 */
class FlapSelectorTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void keepsTheLargestFluctuationAndCompensatesTheMean() {
        int[] sizes = {6, 14, 5};
        int rows = 300, keep = 5;
        Network model = Fixtures.mlp(sizes, 17);
        Fixtures.Data data = Fixtures.randomData(rows, 6, 5, 3);
        PruneOptions o = PruneOptions.builder().method(Method.FLAP).ratio(Fixtures.ratioFor(keep, 14)).batchSize(64).build();
        Selection sel = Baselines.flap().select(Fixtures.context(model, 0, data.set(), o));

        int n = sizes[1], out = sizes[2], in = sizes[0];
        float[] w0 = Tensors.floats(model.tensor("0.weight")), b0 = Tensors.floats(model.tensor("0.bias"));
        float[] w1 = Tensors.floats(model.tensor("2.weight"));
        double[][] h = new double[rows][n];
        for (int r = 0; r < rows; r++) {
            double[] x = data.row(r);
            for (int c = 0; c < n; c++) {
                double z = b0[c];
                for (int i = 0; i < in; i++) z += w0[c * in + i] * x[i];
                h[r][c] = Math.max(0, z);
            }
        }
        double[] mean = new double[n], score = new double[n];
        for (int c = 0; c < n; c++) {
            double s = 0, sq = 0, norm = 0;
            for (double[] row : h) s += row[c];
            mean[c] = s / rows;
            for (double[] row : h) sq += (row[c] - mean[c]) * (row[c] - mean[c]);
            for (int o2 = 0; o2 < out; o2++) norm += w1[o2 * n + c] * (double) w1[o2 * n + c];
            score[c] = sq / (rows - 1) * norm;
        }
        Integer[] idx = new Integer[n];
        for (int c = 0; c < n; c++) idx[c] = c;
        Arrays.sort(idx, (a, b) -> Double.compare(score[b], score[a]));
        int[] expected = Arrays.stream(idx).limit(keep).mapToInt(Integer::intValue).sorted().toArray();
        assertArrayEquals(expected, sel.kept());

        // the pruned unit's mean output over the rows equals the dense unit's
        assertNotNull(sel.shift());
        try (Network pruned = Surgery.keep(model, 0, sel.kept(), 1f, null, Tensors.of(sel.shift(), out));
             PointerScope scope = new PointerScope()) {
            Tensor x = data.set().inputs(0, rows);
            double[] dense = Tensors.doubles(model.forward(x).toType(org.bytedeco.pytorch.global.torch.ScalarType.Double).mean(new long[] {0}));
            double[] after = Tensors.doubles(pruned.forward(x).toType(org.bytedeco.pytorch.global.torch.ScalarType.Double).mean(new long[] {0}));
            for (int o2 = 0; o2 < out; o2++) assertEquals(dense[o2], after[o2], 1e-4 * (1 + Math.abs(dense[o2])), "output " + o2);
            Unit u = pruned.unit(0);
            assertEquals(keep, u.groups());
        }
    }
}
