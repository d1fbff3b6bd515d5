package io.ispasp.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.nn.Network;
import io.ispasp.prune.Selection;
import io.ispasp.prune.UnitData;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ActivationSelectorTest {

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /**
     * a[c] = sum over rows of relu(X W^T + b)[row, c], checked against plain float64 on both units, streaming in
     * batches of 16 over 50 rows (so the last batch is partial).
     */
    @Test
    void massMatchesPlainComputation() {
        int[] sizes = {5, 9, 6, 3};
        Network model = Fixtures.mlp(sizes, 41);
        Fixtures.Data data = Fixtures.randomData(50, 5, 3, 42);
        Fixtures.Net net = new Fixtures.Net(model);
        PruneOptions opts = PruneOptions.builder().method(Method.ACTIVATION).batchSize(16).ratio(0.5).build();
        for (int unit = 0; unit < 2; unit++) {
            double[] expected = new double[sizes[unit + 1]];
            for (int r = 0; r < 50; r++) {
                double[] h = Fixtures.relu(net.affine(net.unitInput(data.row(r), unit), unit));
                for (int c = 0; c < h.length; c++) expected[c] += h[c];
            }
            UnitData ctx = Fixtures.context(model, unit, data.set(), opts);
            double[] mass = ctx.activationMass();
            // float32 forward against float64: agreement to float32 rounding of each activation.
            assertArrayEquals(expected, mass, 1e-4, "unit " + unit);

            Selection sel = Baselines.activation().select(ctx);
            assertArrayEquals(io.ispasp.prune.TopK.indices(expected, ctx.keep()), sel.kept());
            assertEquals(1f, sel.columnScale(), 0f);
        }
    }
}
