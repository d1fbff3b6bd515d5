package io.ispasp.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training-time image augmentation on stored uint8 images ({@code C x H x W} planes), applied before normalisation.
 * Deterministic: the result depends only on the image and on the draws taken from the generator passed in.
 */
public enum Augmentation {
    /** The image unchanged; draws nothing. */
    NONE {
        @Override
        void apply(byte[] src, int srcOffset, byte[] dst, int channels, int height, int width, SplittableRandom rnd) {
            System.arraycopy(src, srcOffset, dst, 0, channels * height * width);
        }
    },

    /**
     * The usual CIFAR training augmentation: a random {@code H x W} crop of the image padded with {@value #PAD}
     * black (pixel value 0) pixels on every side, then a horizontal flip with probability 1/2. Black padding before
     * normalisation is what torchvision's {@code RandomCrop(32, padding=4)} before {@code ToTensor} does. Draws, per
     * image: the row offset {@code nextInt(2*PAD+1)}, the column offset {@code nextInt(2*PAD+1)}, then
     * {@code nextBoolean()} for the flip.
     */
    STANDARD {
        @Override
        void apply(byte[] src, int srcOffset, byte[] dst, int channels, int height, int width, SplittableRandom rnd) {
            // Output (y, x) reads padded (y + dy, x + dx), i.e. source (y + dy - PAD, x + dx - PAD).
            int dy = rnd.nextInt(2 * PAD + 1) - PAD;
            int dx = rnd.nextInt(2 * PAD + 1) - PAD;
            boolean flip = rnd.nextBoolean();
            Arrays.fill(dst, 0, channels * height * width, (byte) 0);
            int x0 = Math.max(0, -dx);
            int x1 = Math.min(width, width - dx); // output columns [x0, x1) read inside the source
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    int sy = y + dy;
                    if (sy < 0 || sy >= height || x0 >= x1) continue;
                    int s = srcOffset + (c * height + sy) * width + dx;
                    int d = (c * height + y) * width;
                    if (!flip) {
                        System.arraycopy(src, s + x0, dst, d + x0, x1 - x0);
                    } else {
                        for (int x = x0; x < x1; x++) dst[d + width - 1 - x] = src[s + x];
                    }
                }
            }
        }
    };

    /** Zero padding, in pixels, on each side before the random crop of {@link #STANDARD}. */
    public static final int PAD = 4;

    /**
     * Writes the augmented copy of the image at {@code src[srcOffset ..]} into {@code dst[0 .. channels*height*width)}.
     * {@code rnd} may be null for {@link #NONE}.
     */
    abstract void apply(byte[] src, int srcOffset, byte[] dst, int channels, int height, int width, SplittableRandom rnd);
}
