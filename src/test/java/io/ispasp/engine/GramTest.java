package io.ispasp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU statistics accumulator against float64 sums on random rows: batches that cross the float32 chunk boundary
 * mid-batch, a batch handed as a pointer positioned inside a larger buffer, and a result asked for twice (it keeps
 * accumulating after).
 */
class GramTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    /** Cross products and column sums over a whole batch of a 56 x 56 map keep the Gram's precision: float32 only within chunks. */
    @Test
    void crossProductsOverManyRowsKeepTheChunkPrecision() {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(12);
            long rows = 64L * 56 * 56 + 123;
            Tensor a = torch.randn(rows, 48).abs(), b = torch.randn(rows, 20).add(new org.bytedeco.pytorch.Scalar(0.5));
            double[] got = new double[48 * 20];
            Gram.accumulateProducts(got, a, b.narrow(0, 0, rows));
            Gram.accumulateProducts(got, a.narrow(0, 0, 5), b.narrow(0, 0, 5));   // accumulates
            double[] exact = Tensors.doubles(a.to(ScalarType.Double).t().mm(b.to(ScalarType.Double))
                    .add(a.narrow(0, 0, 5).to(ScalarType.Double).t().mm(b.narrow(0, 0, 5).to(ScalarType.Double))));
            double scale = 0, err = 0;
            for (int i = 0; i < exact.length; i++) {
                scale = Math.max(scale, Math.abs(exact[i]));
                err = Math.max(err, Math.abs(got[i] - exact[i]));
            }
            // one float32 product over all rows errs by about 1e-6 of the largest entry here
            assertEquals(0, err / scale, 2e-7, "largest error relative to the largest entry");
            double[] sums = Tensors.doubles(Gram.columnSums(b)), exactSums = Tensors.doubles(b.to(ScalarType.Double).sum(new long[] {0}, false,
                    new ScalarTypeOptional(ScalarType.Double)));
            for (int i = 0; i < sums.length; i++) assertEquals(exactSums[i], sums[i], 2e-7 * rows, "column sum " + i);
            assertThrows(IllegalArgumentException.class, () -> Gram.accumulateProducts(new double[48 * 20], a, b.narrow(0, 0, 10)));
            assertThrows(IllegalArgumentException.class, () -> Gram.accumulateProducts(new double[7], a, b));
        }
    }

    @Test
    void matchesFloat64SumsAcrossChunksAndOffsets() {
        int n = 37;
        try (PointerScope scope = new PointerScope(); Gram gram = new Gram(n)) {
            torch.manual_seed(11);
            Tensor all = torch.randn(3 * Gram.FLUSH_ROWS + 500, n).abs();          // activations-like, all positive
            int[] batches = {1000, Gram.FLUSH_ROWS + 300, 7, Gram.FLUSH_ROWS * 2 - 1307 + 500};
            int from = 0;
            for (int b : batches) {
                // a pointer positioned at row `from` of the whole buffer
                FloatPointer p = new FloatPointer(all.data_ptr_float()).position((long) from * n);
                gram.add(p, b);
                from += b;
                if (b == 7) check(gram, all.narrow(0, 0, from), n);   // mid-way, with rows still in the float32 chunk
            }
            assertEquals(all.size(0), from);
            check(gram, all, n);
        }
    }

    @Test
    void refusesBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Gram(0));
        try (Gram g = new Gram(3)) {
            assertThrows(IllegalArgumentException.class, () -> g.add(new FloatPointer(3), -1));
        }
    }

    private static void check(Gram gram, Tensor rows, int n) {
        Tensor d = rows.to(ScalarType.Double);
        double[] expectedGram = Tensors.doubles(d.t().mm(d));
        double[] expectedMass = Tensors.doubles(d.sum(new long[] {0}, false, new ScalarTypeOptional(ScalarType.Double)));
        StatisticsAccumulator.Result r = gram.result();
        assertEquals(rows.size(0), gram.rows());
        for (int i = 0; i < n; i++) assertEquals(expectedMass[i], r.mass()[i], 1e-9 * Math.abs(expectedMass[i]), "mass " + i);
        for (int i = 0; i < n * n; i++) {
            assertEquals(expectedGram[i], r.gram()[i], 1e-5 * Math.abs(expectedGram[i]) + 1e-3, "gram " + i);
        }
    }
}
