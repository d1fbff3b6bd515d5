package io.ispasp.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** Writes tiny synthetic CIFAR-10 data sets (binary batches, image folders) with known pixels. */
final class CifarTestFiles {
    /** Bytes per binary record: a label byte and 3 x 32 x 32 pixels. */
    static final int RECORD = 3073;

    private CifarTestFiles() {}

    /** Pixel (channel c, flat position j) of synthetic image {@code seed}: distinct across channels and images. */
    static int value(int seed, int c, int j) {
        return (seed * 37 + c * 101 + j * 7) & 0xff;
    }

    /** {@code 3 x h x w} planes of synthetic image {@code seed}. */
    static byte[] planes(int seed, int h, int w) {
        int plane = h * w;
        byte[] p = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < plane; j++) p[c * plane + j] = (byte) value(seed, c, j);
        }
        return p;
    }

    /** A binary batch: one record (label byte + 32x32 planes of image seeds[i]) per label. */
    static Path writeBatch(Path file, int[] labels, int[] seeds) throws IOException {
        byte[] out = new byte[labels.length * RECORD];
        for (int i = 0; i < labels.length; i++) {
            out[i * RECORD] = (byte) labels[i];
            System.arraycopy(planes(seeds[i], 32, 32), 0, out, i * RECORD + 1, RECORD - 1);
        }
        Files.createDirectories(file.getParent());
        return Files.write(file, out);
    }

    /** An RGB image holding {@code planes}. */
    static BufferedImage rgb(byte[] planes, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int j = y * w + x;
                img.setRGB(x, y, (planes[j] & 0xff) << 16 | (planes[plane + j] & 0xff) << 8 | (planes[2 * plane + j] & 0xff));
            }
        }
        return img;
    }

    /** Writes synthetic image {@code seed} as a PNG (lossless). */
    static Path writePng(Path file, int seed, int h, int w) throws IOException {
        return write(file, rgb(planes(seed, h, w), h, w), "png");
    }

    static Path write(Path file, BufferedImage img, String format) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no " + format + " writer");
        return file;
    }
}
