package io.ispasp.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTreeTest {
    @TempDir Path dir;

    // ---- image writers -------------------------------------------------------------------------------------------

    /** An RGB image whose pixel (x, y) is {@code f(c, y, x)} in channel c. */
    interface Pixels {
        int value(int c, int y, int x);
    }

    private static BufferedImage rgb(int w, int h, Pixels f) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, (f.value(0, y, x) << 16) | (f.value(1, y, x) << 8) | f.value(2, y, x));
        }
        return img;
    }

    private static BufferedImage constant(int w, int h, int r, int g, int b) {
        return rgb(w, h, (c, y, x) -> c == 0 ? r : c == 1 ? g : b);
    }

    /** A gradient along both axes, different per channel, values within 0..255. */
    private static Pixels gradient(int w, int h) {
        return (c, y, x) -> (int) Math.round((40.0 * c + 200.0 * x / Math.max(1, w - 1) + 15.0 * y) % 256);
    }

    private static Path png(Path file, BufferedImage img) throws IOException {
        return CifarTestFiles.write(file, img, "png");
    }

    private static ImageDecoder.Rgb planes(int w, int h, Pixels f) {
        byte[] p = new byte[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) p[(c * h + y) * w + x] = (byte) f.value(c, y, x);
            }
        }
        return new ImageDecoder.Rgb(w, h, p);
    }

    // ---- float64 reference of the resize -------------------------------------------------------------------------

    /**
     * One axis of bilinear resampling with half-pixel centres, antialiased when shrinking (PIL's and libtorch's
     * triangle filter widened by the scale); for enlarging this is plain bilinear with edge clamping.
     * {@code w[o][i]}: weight of input i in output o.
     */
    private static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double support = Math.max(scale, 1.0);
        double inv = scale >= 1 ? 1 / scale : 1;
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double centre = scale * (o + 0.5);
            double sum = 0;
            for (int i = 0; i < in; i++) {
                double d = Math.abs((i + 0.5 - centre) * inv);
                // Only inputs inside the support window, as PIL counts them.
                if (i < (int) (centre - support + 0.5) || i >= (int) (centre + support + 0.5)) continue;
                w[o][i] = Math.max(0, 1 - d);
                sum += w[o][i];
            }
            for (int i = 0; i < in; i++) w[o][i] /= sum;
        }
        return w;
    }

    /** Reference pixels (double) of {@code img} scaled so its shorter side is {@code size}, then centre-cropped. */
    private static double[] reference(ImageDecoder.Rgb img, int size) {
        int h = img.height();
        int w = img.width();
        int rh = w <= h ? (int) Math.floor((double) size * h / w) : size;
        int rw = w <= h ? size : (int) Math.floor((double) size * w / h);
        int top = (int) Math.rint((rh - size) / 2.0);
        int left = (int) Math.rint((rw - size) / 2.0);
        double[][] wy = weights(h, rh);
        double[][] wx = weights(w, rw);
        double[] out = new double[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double v = 0;
                    for (int sy = 0; sy < h; sy++) {
                        for (int sx = 0; sx < w; sx++) {
                            v += wy[top + y][sy] * wx[left + x][sx] * (img.planes()[(c * h + sy) * w + sx] & 0xff);
                        }
                    }
                    out[(c * size + y) * size + x] = v;
                }
            }
        }
        return out;
    }

    private static void assertNearReference(byte[] got, double[] want, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i] & 0xff, 0.5 + 1e-3, what + " byte " + i);
        }
    }

    private static byte[] stored(ImageDataset d, int i) {
        int s = d.sourceHeight();
        byte[] b = new byte[3 * s * s];
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < s * s; j++) b[c * s * s + j] = (byte) d.pixel(i, c, j / s, j % s);
        }
        return b;
    }

    // ---- flat layout ---------------------------------------------------------------------------------------------

    @Test
    void flatFolderIsUnlabelledResizedAndImagenetNormalised() throws IOException {
        // Sorted order: a (constant, smaller than 8), b (constant, larger), c (gradient), d.JPG (constant).
        png(dir.resolve("b.png"), constant(20, 13, 200, 100, 0));
        png(dir.resolve("a.PNG"), constant(3, 5, 10, 20, 30));
        png(dir.resolve("c.png"), rgb(11, 9, gradient(11, 9)));
        CifarTestFiles.write(dir.resolve("d.JPG"), constant(16, 10, 128, 64, 32), "jpeg");
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Files.write(dir.resolve(".hidden.png"), new byte[] {1, 2, 3}); // corrupt, but hidden: never read
        Files.createDirectories(dir.resolve(".thumbnails"));            // hidden folder: not a class, not mixed

        ImageDataset d = ImageTree.load(dir, 8, 0);
        assertEquals(4, d.size());
        assertFalse(d.labelled());
        assertEquals(0, d.numClasses());
        assertEquals(List.of(), d.classNames());
        assertEquals(Normalization.IMAGENET, d.normalization());
        assertEquals(8, d.height());
        assertEquals(8, d.width());
        assertEquals(8, d.sourceHeight());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.label(0));
        assertTrue(e.getMessage().contains("unlabelled"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> d.labels(0, 1));
        assertThrows(IllegalStateException.class, () -> d.labels(new int[] {0}));

        int[][] colours = {{10, 20, 30}, {200, 100, 0}};
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 64; j++) assertEquals(colours[i][c], d.pixel(i, c, j / 8, j % 8), "image " + i + " channel " + c);
            }
        }
        assertNearReference(stored(d, 2), reference(planes(11, 9, gradient(11, 9)), 8), "gradient");
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < 64; j++) assertEquals(128 >> c, d.pixel(3, c, j / 8, j % 8), 3, "jpeg channel " + c);
        }

        try (PointerScope scope = new PointerScope()) {
            Tensor x = d.images(0, 4);
            assertArrayEquals(new long[] {4, 3, 8, 8}, new long[] {x.size(0), x.size(1), x.size(2), x.size(3)});
            float[] v = Tensors.floats(x);
            float[] mean = {0.485f, 0.456f, 0.406f};
            float[] std = {0.229f, 0.224f, 0.225f};
            for (int i = 0; i < 4; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int j = 0; j < 64; j++) {
                        float want = (d.pixel(i, c, j / 8, j % 8) / 255f - mean[c]) / std[c];
                        assertEquals(want, v[(i * 3 + c) * 64 + j], 1e-5f, "image " + i + " channel " + c);
                    }
                }
            }
        }
        assertEquals(2, ImageTree.load(dir, 8, 2).size());
        assertEquals(4, ImageTree.load(dir, 8, 10).size());
    }

    @Test
    void resizeMatchesAFloat64ReferenceOfShorterSideResizeThenCentreCrop() throws IOException {
        // {width, height, size}: shrink with a horizontal crop, enlarge with a vertical crop, odd/even offsets,
        // no resize at all (shorter side already the size), a 1-pixel output, a strongly wide image.
        int[][] cases = {{6, 4, 3}, {3, 5, 4}, {7, 7, 7}, {9, 7, 7}, {5, 8, 1}, {17, 4, 2}, {4, 6, 9}, {13, 11, 5},
                {14, 8, 4}, {10, 7, 7}}; // the last two: offset round(1.5) = 2, with and without resizing
        for (int[] k : cases) {
            ImageDecoder.Rgb img = planes(k[0], k[1], gradient(k[0], k[1]));
            assertNearReference(ImageTree.resizeCrop(img, k[2]), reference(img, k[2]), k[0] + "x" + k[1] + " -> " + k[2]);
        }
        // Through files as well: PNG is lossless, so decoding changes nothing.
        png(dir.resolve("g.png"), rgb(6, 4, gradient(6, 4)));
        assertNearReference(stored(ImageTree.load(dir, 3, 0), 0), reference(planes(6, 4, gradient(6, 4)), 3), "via file");
    }

    @Test
    void resizedShapeAndCropOffsetFollowTorchvision() {
        assertArrayEquals(new int[] {3, 4}, ImageTree.resizedShape(4, 6, 3));   // int(3 * 6 / 4) = 4
        assertArrayEquals(new int[] {6, 4}, ImageTree.resizedShape(5, 3, 4));   // int(4 * 5 / 3) = 6
        assertArrayEquals(new int[] {224, 298}, ImageTree.resizedShape(375, 500, 224));
        assertArrayEquals(new int[] {5, 5}, ImageTree.resizedShape(9, 9, 5));
        assertEquals(0, ImageTree.cropOffset(4, 3));  // round(0.5) = 0 (halves to even)
        assertEquals(2, ImageTree.cropOffset(6, 3));  // round(1.5) = 2
        assertEquals(1, ImageTree.cropOffset(6, 4));
        assertEquals(37, ImageTree.cropOffset(298, 224));
    }

    @Test
    void constantImagesStayConstantAtAnySize() {
        ImageDecoder.Rgb img = planes(37, 23, (c, y, x) -> 33 + 90 * c);
        for (int size : new int[] {1, 5, 23, 64, 224}) {
            byte[] out = ImageTree.resizeCrop(img, size);
            for (int i = 0; i < out.length; i++) assertEquals(33 + 90 * (i / (size * size)), out[i] & 0xff, "size " + size);
        }
    }

    // ---- class folders -------------------------------------------------------------------------------------------

    /** Classes written out of order: "cat" (3 images), "ant" (1), "bee" (2); image k of sorted class c has colour 10c + k. */
    private void writeClassTree() throws IOException {
        String[] sorted = {"ant", "bee", "cat"};
        int[] counts = {1, 2, 3};
        for (int c : new int[] {2, 0, 1}) {
            for (int k = counts[c] - 1; k >= 0; k--) {
                int v = 10 * c + k;
                png(dir.resolve(sorted[c] + "/img" + k + ".png"), constant(5 + k, 4 + c, v, v + 1, v + 2));
            }
        }
        Files.writeString(dir.resolve("cat/readme.txt"), "ignored");
        Files.writeString(dir.resolve("LICENSE"), "a non-image file next to class folders is not a mixed layout");
        Files.createDirectories(dir.resolve(".git"));
    }

    private static int colour(ImageDataset d, int i) {
        return d.pixel(i, 0, 0, 0);
    }

    @Test
    void classFoldersGiveSortedLabelsInRoundRobinOrder() throws IOException {
        writeClassTree();
        ImageDataset d = ImageTree.load(dir, 4, 0);
        assertTrue(d.labelled());
        assertEquals(List.of("ant", "bee", "cat"), d.classNames());
        assertEquals(Normalization.IMAGENET, d.normalization());
        assertEquals(6, d.size());
        int[] labels = {0, 1, 2, 1, 2, 2};
        int[] colours = {0, 10, 20, 11, 21, 22};
        for (int i = 0; i < 6; i++) {
            assertEquals(labels[i], d.label(i), "label of image " + i);
            assertEquals(colours[i], colour(d, i), "image " + i);
            assertEquals(colours[i] + 2, d.pixel(i, 2, 3, 3), "image " + i);
        }
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(new long[] {0, 1, 2, 1, 2, 2}, Tensors.longs(d.labels(0, 6)));
        }
    }

    @Test
    void limitKeepsClassesBalancedAndDecodesNoMore() throws IOException {
        writeClassTree();
        Files.write(dir.resolve("cat/img2.png"), new byte[] {1, 2, 3}); // past the limit: never decoded
        ImageDataset d = ImageTree.load(dir, 4, 4);
        assertEquals(4, d.size());
        assertArrayEquals(new int[] {0, 1, 2, 1}, new int[] {d.label(0), d.label(1), d.label(2), d.label(3)});
        assertEquals(3, d.numClasses());
        ImageDataset three = ImageTree.load(dir, 4, 3);
        assertArrayEquals(new int[] {0, 1, 2}, new int[] {three.label(0), three.label(1), three.label(2)});
    }

    @Test
    void manyImagesDecodeInOrderOnSeveralThreads() throws IOException {
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 15; k++) {
                int v = 50 * c + k;
                png(dir.resolve("k" + c + "/" + String.format("%03d.png", k)), constant(6 + k % 4, 5 + c, v, v, v));
            }
        }
        ImageDataset d = ImageTree.load(dir, 3, 0);
        assertEquals(45, d.size());
        for (int i = 0; i < 45; i++) {
            assertEquals(i % 3, d.label(i));
            assertEquals(50 * (i % 3) + i / 3, colour(d, i), "image " + i);
        }
    }

    // ---- colour models -------------------------------------------------------------------------------------------

    @Test
    void greyscaleAndRgbaBecomeRgb() throws IOException {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) grey.getRaster().setSample(x, y, 0, 17 * (x + 4 * y));
        }
        png(dir.resolve("1grey.png"), grey);
        BufferedImage rgba = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) rgba.setRGB(x, y, ((x * 60) << 24) | (10 << 16) | ((20 + y) << 8) | 30);
        }
        png(dir.resolve("2rgba.png"), rgba);
        ImageDataset d = ImageTree.load(dir, 4, 0);
        assertEquals(2, d.size());
        assertEquals(3, d.channels());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                for (int c = 0; c < 3; c++) assertEquals(17 * (x + 4 * y), d.pixel(0, c, y, x), "grey at " + x + "," + y);
                // Alpha dropped, not blended: a fully transparent pixel keeps its colour.
                assertEquals(10, d.pixel(1, 0, y, x));
                assertEquals(20 + y, d.pixel(1, 1, y, x));
                assertEquals(30, d.pixel(1, 2, y, x));
            }
        }
        // Grey images of another size are resized like colour ones: a constant grey stays that grey in all channels.
        BufferedImage flat = new BufferedImage(9, 6, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 9; x++) flat.getRaster().setSample(x, y, 0, 99);
        }
        Path sub = Files.createDirectories(dir.resolve("sub"));
        png(sub.resolve("g.png"), flat);
        ImageDataset g = ImageTree.load(sub, 4, 0);
        for (int c = 0; c < 3; c++) assertEquals(99, g.pixel(0, c, 2, 1));
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    private static void assertMentions(Exception e, String... parts) {
        assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    private static IOException loadFails(Path dir) {
        return assertThrows(IOException.class, () -> ImageTree.load(dir, 8, 0));
    }

    @Test
    void missingFolderOrAFile() throws IOException {
        assertMentions(loadFails(dir.resolve("nope")), "not found", dir.resolve("nope").toString());
        Path file = png(dir.resolve("x.png"), constant(2, 2, 1, 2, 3));
        assertMentions(loadFails(file), "not a folder", file.toString());
    }

    @Test
    void noImagesSaysWhichExtensionsAreRead() throws IOException {
        assertMentions(loadFails(dir), "no images", dir.toString(), ".jpg", ".jpeg", ".png");
        Files.writeString(dir.resolve("a.gif"), "x");
        Files.writeString(dir.resolve(".b.png"), "x");
        assertMentions(loadFails(dir), "no images", dir.toString(), ".jpg, .jpeg, .png");
    }

    @Test
    void mixedLayoutNamesTheFolder() throws IOException {
        png(dir.resolve("a.png"), constant(2, 2, 1, 2, 3));
        png(dir.resolve("dogs/b.png"), constant(2, 2, 1, 2, 3));
        assertMentions(loadFails(dir), "mixed layout", dir.toString(), "a.png", "dogs");
    }

    @Test
    void emptyClassFolderAndSplitTrees() throws IOException {
        png(dir.resolve("cats/a.png"), constant(2, 2, 1, 2, 3));
        Files.createDirectories(dir.resolve("dogs"));
        assertMentions(loadFails(dir), "class folder has no images", dir.resolve("dogs").toString(), ".jpg");

        Path split = Files.createDirectories(dir.resolve("split"));
        png(split.resolve("train/cats/a.png"), constant(2, 2, 1, 2, 3));
        png(split.resolve("test/cats/a.png"), constant(2, 2, 1, 2, 3));
        IOException e = loadFails(split);
        assertMentions(e, "class folder has no images", split.resolve("test").toString(), "sub-folders", "DIR/train");
        // One split of such a tree reads as class folders, with any image sizes.
        ImageDataset d = ImageTree.load(split.resolve("train"), 8, 0);
        assertEquals(List.of("cats"), d.classNames());
        assertEquals(8, d.height());
    }

    @Test
    void undecodableFileIsNamed() throws IOException {
        png(dir.resolve("a.png"), constant(3, 3, 1, 2, 3));
        Path bad = Files.write(dir.resolve("b.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        assertMentions(loadFails(dir), bad.toString());
        assertEquals(1, ImageTree.load(dir, 8, 1).size());
    }

    @Test
    void badSizeOrLimit() throws IOException {
        png(dir.resolve("a.png"), constant(3, 3, 1, 2, 3));
        for (int size : new int[] {0, -4, 1025}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageTree.load(dir, size, 0));
            assertMentions(e, "[1, 1024]", String.valueOf(size));
        }
        assertEquals(1024, ImageTree.load(dir, 1024, 0).height());
        assertEquals(1, ImageTree.load(dir, 1, 0).height());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageTree.load(dir, 8, -1));
        assertMentions(e, "limit", "-1");
    }
}
