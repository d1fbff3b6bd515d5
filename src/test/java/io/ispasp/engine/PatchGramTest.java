package io.ispasp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The patch statistics from shifted products against the patch rows themselves in float64 (feature sums, Gram and
 * the cross sums against a target), over several batches: maps of one pixel, one row, even and odd sides, padded
 * rows past the float32 chunk, border products split across images.
 */
class PatchGramTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @ParameterizedTest(name = "{0} images x {1} channels x {2}x{3}, out {4}")
    @CsvSource({"3, 5, 6, 7, 4", "2, 3, 1, 1, 2", "2, 4, 1, 5, 3", "4, 2, 2, 2, 1", "1, 3, 3, 4, 5", "40, 3, 12, 12, 2", "5, 2, 1, 1500, 2",
            "3, 6, 9, 2, 3"})
    void matchesThePatchRowsInFloat64(int images, int channels, int height, int width, int out) {
        try (PointerScope scope = new PointerScope(); PatchGram patches = new PatchGram(channels)) {
            torch.manual_seed(images * 131L + channels * 17L + height * 7L + width);
            long f = 9L * channels;
            Tensor gram = torch.zeros(f, f).to(ScalarType.Double), mass = torch.zeros(f).to(ScalarType.Double);
            Tensor cross = torch.zeros(f, out).to(ScalarType.Double);
            double[] got = new double[(int) (f * out)];
            for (int batch = 0; batch < 2; batch++) {
                Tensor h = torch.relu(torch.randn(images, channels, height, width).add(new org.bytedeco.pytorch.Scalar(0.3)));
                Tensor z = torch.randn((long) images * height * width, out);
                patches.add(h, z, got);
                Tensor u = PatchRows.tapMajor(h.to(ScalarType.Double));       // [positions, 9N], the rows themselves
                gram.add_(u.t().mm(u));
                mass.add_(u.sum(new long[] {0}, false, new ScalarTypeOptional(ScalarType.Double)));
                cross.add_(u.t().mm(z.to(ScalarType.Double)));
            }
            StatisticsAccumulator.Result r = patches.result();
            assertEquals(2L * images * height * width, patches.rows());
            close(Tensors.doubles(mass), r.mass(), "feature sums");
            close(Tensors.doubles(gram), r.gram(), "Gram");
            close(Tensors.doubles(cross), got, "cross sums");
        }
    }

    @org.junit.jupiter.api.Test
    void refusesBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> new PatchGram(0));
        try (PointerScope scope = new PointerScope(); PatchGram p = new PatchGram(3)) {
            assertThrows(IllegalArgumentException.class, () -> p.add(torch.zeros(2, 4, 5, 5), null, null));
            assertThrows(IllegalArgumentException.class, () -> p.add(torch.zeros(2, 3, 5, 5), torch.zeros(49, 2), new double[54]));
        }
    }

    /** Float32 products over at most a few thousand rows: relative to the largest entry. */
    private static void close(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double scale = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, scale), what + " entry " + i);
        }
    }
}
