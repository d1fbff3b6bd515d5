package io.ispasp.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    private static final List<String> CLASSES = List.of("a", "b", "c");

    /** Two 2x3 images with distinct pixels, labels 2 and 0. */
    private static ImageDataset small() {
        byte[] px = new byte[2 * 3 * 2 * 3];
        System.arraycopy(CifarTestFiles.planes(0, 2, 3), 0, px, 0, 18);
        System.arraycopy(CifarTestFiles.planes(1, 2, 3), 0, px, 18, 18);
        return ImageDataset.of(px, new int[] {2, 0}, CLASSES, 2, 3);
    }

    private static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }

    @Test
    void normalisesPerChannelWithCifarStatistics() {
        assertEquals(-1.9894737f, ImageDataset.normalise(0, 0), 1e-6f);
        assertEquals((1f - 0.4822f) / 0.2435f, ImageDataset.normalise(1, 255), 1e-6f);
        assertEquals(2.1158257f, ImageDataset.normalise(2, 255), 1e-6f);
        ImageDataset d = small();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = d.images(0, 2);
            assertArrayEquals(new long[] {2, 3, 2, 3}, shape(x));
            float[] v = Tensors.floats(x);
            for (int i = 0; i < 2; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int j = 0; j < 6; j++) {
                        int p = CifarTestFiles.value(i, c, j);
                        assertEquals(ImageDataset.normalise(c, p), v[(i * 3 + c) * 6 + j], 0f, "image " + i + " channel " + c + " pixel " + j);
                        assertEquals(p, d.pixel(i, c, j / 3, j % 3));
                    }
                }
            }
        }
    }

    @Test
    void reportsSizesLabelsAndClasses() {
        ImageDataset d = small();
        assertEquals(2, d.size());
        assertEquals(3, d.channels());
        assertEquals(2, d.height());
        assertEquals(3, d.width());
        assertEquals(3, d.numClasses());
        assertEquals(CLASSES, d.classNames());
        assertEquals(2, d.label(0));
        assertEquals(0, d.label(1));
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(new long[] {2, 0}, Tensors.longs(d.labels(0, 2)));
            assertArrayEquals(new long[] {0, 2, 0}, Tensors.longs(d.labels(new int[] {1, 0, 1})));
        }
        assertThrows(UnsupportedOperationException.class, () -> d.classNames().add("x"));
    }

    @Test
    void rowsComeInTheOrderAsked() {
        ImageDataset d = small();
        try (PointerScope scope = new PointerScope()) {
            float[] all = Tensors.floats(d.images(0, 2));
            float[] picked = Tensors.floats(d.images(new int[] {1, 0, 1}));
            assertEquals(3 * 18, picked.length);
            for (int j = 0; j < 18; j++) {
                assertEquals(all[18 + j], picked[j], 0f);
                assertEquals(all[j], picked[18 + j], 0f);
                assertEquals(all[18 + j], picked[36 + j], 0f);
            }
            assertArrayEquals(Tensors.floats(d.images(1, 2)), java.util.Arrays.copyOfRange(all, 18, 36));
        }
    }

    @Test
    void rejectsBadRangesAndRows() {
        ImageDataset d = small();
        try (PointerScope scope = new PointerScope()) {
            assertThrows(IndexOutOfBoundsException.class, () -> d.images(1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> d.images(0, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> d.images(-1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> d.images(new int[] {2}));
            assertThrows(IndexOutOfBoundsException.class, () -> d.images(new int[0]));
            assertThrows(IndexOutOfBoundsException.class, () -> d.labels(new int[] {-1}));
            assertThrows(NullPointerException.class, () -> d.images(new int[] {0}, Augmentation.STANDARD, null));
        }
    }

    @Test
    void headTakesTheFirstImages() {
        ImageDataset d = small();
        assertThrows(IllegalArgumentException.class, () -> d.head(0));
        assertThrows(IllegalArgumentException.class, () -> d.head(-3));
        assertSame(d, d.head(2));
        assertSame(d, d.head(5));
        ImageDataset h = d.head(1);
        assertEquals(1, h.size());
        assertEquals(2, h.label(0));
        assertEquals(CLASSES, h.classNames());
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(Tensors.floats(d.images(0, 1)), Tensors.floats(h.images(0, 1)));
        }
    }

    @Test
    void constructionValidatesAndCopies() {
        byte[] px = CifarTestFiles.planes(3, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(px, new int[] {0, 0}, CLASSES, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(px, new int[] {3}, CLASSES, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(px, new int[] {0}, List.of(), 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(px, new int[] {0}, CLASSES, 0, 4));
        int[] labels = {1};
        ImageDataset d = ImageDataset.of(px, labels, CLASSES, 2, 2);
        int before = d.pixel(0, 0, 0, 0);
        px[0]++;
        labels[0] = 2;
        assertEquals(before, d.pixel(0, 0, 0, 0));
        assertEquals(1, d.label(0));
    }

    @Test
    void resizeKeepsAConstantImageConstantBothWays() {
        byte[] px = new byte[3 * 32 * 32];
        for (int c = 0; c < 3; c++) java.util.Arrays.fill(px, c * 1024, (c + 1) * 1024, (byte) (50 + 60 * c));
        ImageDataset d = ImageDataset.of(px, new int[] {0}, CLASSES, 32, 32);
        for (int size : new int[] {64, 224, 16}) {
            ImageDataset r = d.resized(size);
            assertEquals(size, r.height());
            assertEquals(size, r.width());
            assertEquals(32, r.sourceHeight());
            try (PointerScope scope = new PointerScope()) {
                Tensor x = r.images(0, 1);
                assertArrayEquals(new long[] {1, 3, size, size}, shape(x));
                float[] v = Tensors.floats(x);
                int plane = size * size;
                for (int c = 0; c < 3; c++) {
                    float want = ImageDataset.normalise(c, 50 + 60 * c);
                    for (int j = 0; j < plane; j++) assertEquals(want, v[c * plane + j], 1e-5f, "size " + size + " channel " + c);
                }
            }
        }
    }

    @Test
    void resizeIsBilinearWithHalfPixelCentres() {
        // 2x2 image per channel: columns 0 and 200 in every row; upsampled to 4x4 each row reads a, 3a/4+b/4, a/4+3b/4, b.
        byte[] px = new byte[3 * 4];
        for (int c = 0; c < 3; c++) {
            px[c * 4 + 1] = (byte) 200;
            px[c * 4 + 3] = (byte) 200;
        }
        ImageDataset d = ImageDataset.of(px, new int[] {0}, CLASSES, 2, 2).resized(4);
        try (PointerScope scope = new PointerScope()) {
            float[] v = Tensors.floats(d.images(new int[] {0}));
            for (int c = 0; c < 3; c++) {
                float a = ImageDataset.normalise(c, 0);
                float b = ImageDataset.normalise(c, 200);
                float[] row = {a, 0.75f * a + 0.25f * b, 0.25f * a + 0.75f * b, b};
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) assertEquals(row[x], v[c * 16 + y * 4 + x], 1e-5f, "c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    void resizedViewsShareDataAndUndoAtTheStoredSize() {
        ImageDataset d = one32();
        assertSame(d, d.resized(32));
        ImageDataset big = d.resized(64);
        assertSame(big, big.resized(64));
        assertEquals(32, big.resized(32).height());
        assertEquals(64, big.head(1).height());
        assertThrows(IllegalArgumentException.class, () -> d.resized(0));
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(Tensors.floats(d.images(0, 1)), Tensors.floats(big.resized(32).images(0, 1)));
            Tensor x = big.images(new int[] {0, 0}, Augmentation.STANDARD, new java.util.SplittableRandom(1));
            assertArrayEquals(new long[] {2, 3, 64, 64}, shape(x));
        }
    }

    @Test
    void normalisationsCarryTheirConstants() {
        assertArrayEquals(new float[] {0.4914f, 0.4822f, 0.4465f}, Normalization.CIFAR10.mean());
        assertArrayEquals(new float[] {0.2470f, 0.2435f, 0.2616f}, Normalization.CIFAR10.std());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, Normalization.IMAGENET.mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, Normalization.IMAGENET.std());
        Normalization.IMAGENET.mean()[0] = 9f; // a copy
        assertEquals(0.485f, Normalization.IMAGENET.mean()[0]);
        assertEquals((0 - 0.485f) / 0.229f, Normalization.IMAGENET.normalise(0, 0), 1e-6f);
        assertEquals((1 - 0.406f) / 0.225f, Normalization.IMAGENET.normalise(2, 255), 1e-6f);
        assertEquals(ImageDataset.normalise(1, 77), Normalization.CIFAR10.normalise(1, 77), 0f);
    }

    @Test
    void normalisedViewsShareThePixelsAndKeepTheRest() {
        ImageDataset d = small();
        assertEquals(Normalization.CIFAR10, d.normalization());
        assertSame(d, d.normalised(Normalization.CIFAR10));
        ImageDataset n = d.resized(4).normalised(Normalization.IMAGENET);
        assertEquals(Normalization.IMAGENET, n.normalization());
        assertEquals(4, n.height());
        assertEquals(Normalization.IMAGENET, n.head(1).normalization());
        assertEquals(Normalization.IMAGENET, n.resized(8).normalization());
        assertEquals(2, n.label(0));
        try (PointerScope scope = new PointerScope()) {
            float[] v = Tensors.floats(d.normalised(Normalization.IMAGENET).images(0, 1));
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 6; j++) {
                    assertEquals(Normalization.IMAGENET.normalise(c, CifarTestFiles.value(0, c, j)), v[c * 6 + j], 0f);
                }
            }
        }
        ImageDataset e = ImageDataset.of(CifarTestFiles.planes(0, 2, 3), new int[] {1}, CLASSES, 2, 3, Normalization.IMAGENET);
        assertEquals(Normalization.IMAGENET, e.normalization());
    }

    @Test
    void unlabelledSetsHaveNoClassesAndRefuseLabels() {
        byte[] px = new byte[2 * 3 * 2 * 3];
        System.arraycopy(CifarTestFiles.planes(0, 2, 3), 0, px, 0, 18);
        System.arraycopy(CifarTestFiles.planes(1, 2, 3), 0, px, 18, 18);
        ImageDataset d = ImageDataset.unlabelled(px, 2, 2, 3, Normalization.IMAGENET);
        px[0]++;
        assertEquals(CifarTestFiles.value(0, 0, 0), d.pixel(0, 0, 0, 0)); // copied
        assertEquals(2, d.size());
        assertEquals(false, d.labelled());
        assertEquals(true, small().labelled());
        assertEquals(0, d.numClasses());
        assertEquals(List.of(), d.classNames());
        for (ImageDataset v : List.of(d, d.head(1), d.resized(5), d.normalised(Normalization.CIFAR10))) {
            assertEquals(false, v.labelled());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.label(0));
            assertEquals(true, e.getMessage().contains("unlabelled"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> v.labels(0, 1));
            assertThrows(IllegalStateException.class, () -> v.labels(new int[] {0}));
        }
        assertEquals(1, d.head(1).size());
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(new long[] {2, 3, 5, 5}, shape(d.resized(5).images(0, 2)));
            float[] v = Tensors.floats(d.images(new int[] {1}));
            assertEquals(Normalization.IMAGENET.normalise(2, CifarTestFiles.value(1, 2, 5)), v[2 * 6 + 5], 0f);
        }
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.unlabelled(new byte[18], 2, 2, 3, Normalization.CIFAR10));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.unlabelled(new byte[0], -1, 2, 3, Normalization.CIFAR10));
        assertEquals(0, ImageDataset.unlabelled(new byte[0], 0, 2, 3, Normalization.CIFAR10).size());
    }

    /** One 32x32 synthetic image. */
    private static ImageDataset one32() {
        return ImageDataset.of(CifarTestFiles.planes(5, 32, 32), new int[] {1}, CLASSES, 32, 32);
    }
}
