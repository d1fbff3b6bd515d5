package io.ispasp.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final int H = 32;
    private static final int W = 32;
    private static final int PLANE = H * W;

    /** An image whose pixels are 1..255 (never 0), so padding zeros are recognisable. */
    private static byte[] image() {
        byte[] p = new byte[3 * PLANE];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (1 + (i * 13 + i / 7) % 255);
        return p;
    }

    /** The image shifted by (dy, dx) with zero fill, then mirrored when {@code flip}: the STANDARD definition. */
    private static byte[] expected(byte[] src, int dy, int dx, boolean flip) {
        byte[] out = new byte[src.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sx = (flip ? W - 1 - x : x) + dx;
                    int sy = y + dy;
                    boolean inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                    out[c * PLANE + y * W + x] = inside ? src[c * PLANE + sy * W + sx] : 0;
                }
            }
        }
        return out;
    }

    private static byte[] augment(Augmentation aug, byte[] src, SplittableRandom rnd) {
        byte[] dst = new byte[src.length];
        Arrays.fill(dst, (byte) 99); // every byte must be overwritten
        aug.apply(src, 0, dst, 3, H, W, rnd);
        return dst;
    }

    @Test
    void noneIsTheIdentityAndDrawsNothing() {
        byte[] src = image();
        SplittableRandom rnd = new SplittableRandom(5);
        assertArrayEquals(src, augment(Augmentation.NONE, src, rnd));
        assertEquals(new SplittableRandom(5).nextLong(), rnd.nextLong());
        assertArrayEquals(src, augment(Augmentation.NONE, src, null));
    }

    @Test
    void standardIsAShiftedZeroPaddedCropThenAMaybeMirror() {
        byte[] src = image();
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 2000; seed++) {
            // The documented draws: row offset, column offset, flip.
            SplittableRandom twin = new SplittableRandom(seed);
            int dy = twin.nextInt(9) - 4;
            int dx = twin.nextInt(9) - 4;
            boolean flip = twin.nextBoolean();
            byte[] got = augment(Augmentation.STANDARD, src, new SplittableRandom(seed));
            assertArrayEquals(expected(src, dy, dx, flip), got, "seed " + seed);
            seen.add(dy + "," + dx + "," + flip);
        }
        // All 9 x 9 offsets and both flips turn up (fixed seeds, so this is not flaky).
        assertEquals(162, seen.size());
    }

    @Test
    void zeroOffsetCropWithFlipMirrorsEachRow() {
        byte[] src = image();
        byte[] flipped = expected(src, 0, 0, true);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) assertEquals(src[c * PLANE + y * W + W - 1 - x], flipped[c * PLANE + y * W + x]);
            }
        }
        // A shifted crop leaves a band of exactly |dx| zero columns and |dy| zero rows.
        byte[] shifted = expected(src, 3, -2, false);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean pad = y >= H - 3 || x < 2;
                assertEquals(pad, shifted[y * W + x] == 0, "y" + y + " x" + x);
            }
        }
    }

    @Test
    void deterministicPerSeedAndDifferentAcrossSeeds() {
        ImageDataset d = ImageDataset.of(image(), new int[] {0}, List.of("only"), H, W);
        int[] rows = new int[16]; // the same image 16 times: only the draws differ
        try (PointerScope scope = new PointerScope()) {
            float[] a = Tensors.floats(d.images(rows, Augmentation.STANDARD, new SplittableRandom(42)));
            float[] b = Tensors.floats(d.images(rows, Augmentation.STANDARD, new SplittableRandom(42)));
            float[] c = Tensors.floats(d.images(rows, Augmentation.STANDARD, new SplittableRandom(43)));
            assertArrayEquals(a, b);
            assertFalse(Arrays.equals(a, c));
        }
    }

    @Test
    void batchTensorHasTheShapeAndNormalisedPadding() {
        byte[] src = image();
        ImageDataset d = ImageDataset.of(src, new int[] {0}, List.of("only"), H, W);
        int[] rows = {0, 0, 0};
        try (PointerScope scope = new PointerScope()) {
            Tensor x = d.images(rows, Augmentation.STANDARD, new SplittableRandom(7));
            assertEquals(4, x.dim());
            assertEquals(3, x.size(0));
            assertEquals(3, x.size(1));
            assertEquals(H, x.size(2));
            assertEquals(W, x.size(3));
            float[] v = Tensors.floats(x);
            SplittableRandom twin = new SplittableRandom(7);
            for (int k = 0; k < rows.length; k++) {
                int dy = twin.nextInt(9) - 4;
                int dx = twin.nextInt(9) - 4;
                boolean flip = twin.nextBoolean();
                byte[] want = expected(src, dy, dx, flip);
                for (int j = 0; j < want.length; j++) {
                    // Padding is black before normalisation: (0 - mean) / std, not 0.
                    assertEquals(ImageDataset.normalise(j / PLANE, want[j] & 0xff), v[k * want.length + j], 0f);
                }
            }
        }
    }
}
