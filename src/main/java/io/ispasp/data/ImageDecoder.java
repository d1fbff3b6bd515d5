package io.ispasp.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * Decodes one JPEG or PNG file (javax.imageio) into R, G, B byte planes. Safe to call from several threads at once.
 *
 * <p>Grayscale images get the gray value in all three planes; an alpha channel is dropped (not blended onto a
 * background), as PIL's {@code convert("RGB")} does. Pixel values are taken from the raster as stored, so grayscale
 * values are not gamma-converted on the way (which {@link BufferedImage#getRGB} would do for Java's linear gray).
 */
final class ImageDecoder {
    private ImageDecoder() {}

    /** A decoded image: {@code planes} holds {@code 3 x height x width} bytes, R then G then B, rows top to bottom. */
    record Rgb(int width, int height, byte[] planes) {}

    /**
     * Decodes {@code file}.
     *
     * @throws IOException naming the file, when it cannot be read, no decoder accepts it, or decoding fails
     */
    static Rgb read(Path file) throws IOException {
        BufferedImage img;
        try {
            // ImageIO.read(File) reads through a file stream: no temporary cache file, unlike read(InputStream).
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // Corrupt data surfaces as IIOException but also as runtime exceptions from inside the decoders.
            throw new IOException(file + ": cannot decode image: " + e.getMessage(), e);
        }
        if (img == null) throw new IOException(file + ": not a readable image (no JPEG/PNG decoder accepts it)");
        return new Rgb(img.getWidth(), img.getHeight(), toPlanes(img));
    }

    /** R, G, B planes of {@code img}. */
    static byte[] toPlanes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        byte[] out = new byte[3 * plane];
        ColorModel cm = img.getColorModel();
        int space = cm.getColorSpace().getType();
        boolean rawSamples = !(cm instanceof IndexColorModel) && !cm.isAlphaPremultiplied()
                && (space == ColorSpace.TYPE_RGB || space == ColorSpace.TYPE_GRAY);
        if (rawSamples) {
            // Colour bands come first in the raster, in colour-space order (R, G, B or gray), alpha last.
            Raster r = img.getRaster();
            int[] samples = null;
            for (int c = 0; c < 3; c++) {
                int band = space == ColorSpace.TYPE_RGB ? c : 0;
                int max = (1 << cm.getComponentSize(band)) - 1;
                samples = r.getSamples(0, 0, w, h, band, samples);
                for (int i = 0; i < plane; i++) {
                    int s = samples[i];
                    out[c * plane + i] = (byte) (max == 255 ? s : Math.round(s * 255.0 / max));
                }
            }
        } else {
            // Palette, CMYK-like or premultiplied images: let the colour model convert to sRGB.
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < plane; i++) {
                out[i] = (byte) (argb[i] >>> 16);
                out[plane + i] = (byte) (argb[i] >>> 8);
                out[2 * plane + i] = (byte) argb[i];
            }
        }
        return out;
    }
}
