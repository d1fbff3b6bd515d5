package io.ispasp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tap-major patch rows are torch's im2col rows with the features reordered, on maps of every small size (1 x 1,
 * thin, non-square); the reorderings of vectors, row blocks and Grams back to channel-major are the right permutation;
 * the chunk size keeps a chunk within its bytes.
 */
class PatchRowsTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @ParameterizedTest
    @CsvSource({"2, 5, 4, 6", "3, 3, 1, 1", "1, 4, 2, 3", "2, 2, 7, 5", "1, 6, 1, 4"})
    void tapMajorRowsAreIm2colRowsReordered(int images, int channels, int height, int width) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(images + channels * 10 + height * 100 + width);
            Tensor h = torch.randn(images, channels, height, width);
            Tensor f = torch.im2col(h, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1});
            float[] expected = Tensors.floats(f.permute(0, 2, 1).reshape(-1, 9L * channels));   // channel-major rows
            float[] actual = Tensors.floats(PatchRows.tapMajor(h));
            int features = 9 * channels, rows = images * height * width;
            assertEquals(expected.length, actual.length);
            for (int r = 0; r < rows; r++) {
                for (int tf = 0; tf < features; tf++) {
                    assertEquals(expected[r * features + PatchRows.channelMajor(tf, channels)], actual[r * features + tf],
                            "row " + r + ", tap-major feature " + tf);
                }
            }
        }
    }

    @Test
    void reorderingsToChannelMajorMatchTheIndexMap() {
        int n = 3, f = 27, cols = 2;
        double[] v = new double[f], rows = new double[f * cols], gram = new double[f * f];
        for (int i = 0; i < f; i++) {
            v[i] = i;
            for (int c = 0; c < cols; c++) rows[i * cols + c] = 100 * i + c;
            for (int j = 0; j < f; j++) gram[i * f + j] = 1000 * i + j;
        }
        double[] cv = PatchRows.toChannelMajor(v, n), cr = PatchRows.toChannelMajorRows(rows, n, cols), cg = PatchRows.toChannelMajorSquare(gram, n);
        boolean[] hit = new boolean[f];
        for (int i = 0; i < f; i++) {
            int to = PatchRows.channelMajor(i, n);
            hit[to] = true;
            assertEquals(i / n, to % 9, "tap");         // tap-major feature k n + c
            assertEquals(i % n, to / 9, "channel");
            assertEquals(v[i], cv[to]);
            assertArrayEquals(new double[] {100 * i, 100 * i + 1}, new double[] {cr[to * cols], cr[to * cols + 1]});
            for (int j = 0; j < f; j++) assertEquals(gram[i * f + j], cg[to * f + PatchRows.channelMajor(j, n)]);
        }
        for (boolean b : hit) assertTrue(b, "a permutation");
    }

    @Test
    void aChunkStaysWithinItsBytes() {
        assertEquals(1, PatchRows.imagesPerChunk(512, 56, 56));
        int k = PatchRows.imagesPerChunk(64, 28, 28);
        assertTrue(k > 1 && (long) k * 28 * 28 * 9 * 64 * 4 <= PatchRows.CHUNK_BYTES, "chunk of " + k);
    }
}
