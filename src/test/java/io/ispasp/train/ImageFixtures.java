package io.ispasp.train;

import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.data.ImageDataset;

/** Tiny synthetic image sets whose class is easy to learn, for training tests. */
final class ImageFixtures {
    /** Square colour of each class (R, G, B): red, green, blue, yellow. */
    private static final int[][] COLOURS = {{230, 20, 20}, {20, 230, 20}, {20, 20, 230}, {230, 230, 20}};
    static final List<String> CLASSES = List.of("red", "green", "blue", "yellow");

    private ImageFixtures() {}

    /**
     * {@code n} images {@code size x size} of noisy grey (mean 110, +-40) with an {@code size/4}-sided square of the
     * class colour at a random place; labels cycle 0, 1, 2, 3. The colour survives crops and flips, so the class
     * is learnable under the standard augmentation.
     */
    static ImageDataset squares(int n, int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int side = Math.max(2, size / 4), plane = size * size;
        byte[] px = new byte[n * 3 * plane];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % COLOURS.length;
            int base = i * 3 * plane;
            for (int j = 0; j < 3 * plane; j++) px[base + j] = (byte) (70 + rnd.nextInt(81));
            int y0 = rnd.nextInt(size - side + 1), x0 = rnd.nextInt(size - side + 1);
            for (int c = 0; c < 3; c++) {
                for (int y = y0; y < y0 + side; y++) {
                    for (int x = x0; x < x0 + side; x++) px[base + c * plane + y * size + x] = (byte) COLOURS[labels[i]][c];
                }
            }
        }
        return ImageDataset.of(px, labels, CLASSES, size, size);
    }
}
