package io.ispasp.data;

import static io.ispasp.data.CifarTestFiles.writePng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10FolderTest {
    private static final int S = 4; // image side: small PNGs keep the tests fast

    @TempDir Path dir;

    /**
     * train/ with classes written out of order: "cat" (3 images), "ant" (1), "bee" (2); test/ with the same classes.
     * Image {@code k} of class index {@code c} (sorted order) has seed {@code 10 * c + k}.
     */
    private void writeTree() throws IOException {
        String[] sorted = {"ant", "bee", "cat"};
        int[] counts = {1, 2, 3};
        for (int c : new int[] {2, 0, 1}) {
            for (int k = counts[c] - 1; k >= 0; k--) {
                writePng(dir.resolve("train/" + sorted[c] + "/img" + k + ".png"), 10 * c + k, S, S);
            }
            writePng(dir.resolve("test/" + sorted[c] + "/x.png"), 50 + c, S, S);
        }
        Files.writeString(dir.resolve("train/cat/notes.txt"), "not an image");
        Files.createDirectories(dir.resolve("train/.cache"));
    }

    private static IOException loadFails(Path dir, boolean train, int limit) {
        return assertThrows(IOException.class, () -> Cifar10.load(dir, train, limit));
    }

    private static void assertMentions(IOException e, String... parts) {
        assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    private static void assertImage(ImageDataset d, int i, int seed) {
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < S * S; j++) assertEquals(CifarTestFiles.value(seed, c, j), d.pixel(i, c, j / S, j % S), "image " + i);
        }
    }

    @Test
    void classesAreSortedAndImagesInterleavedRoundRobin() throws IOException {
        writeTree();
        ImageDataset d = Cifar10.load(dir, true, 0);
        assertEquals(List.of("ant", "bee", "cat"), d.classNames());
        assertEquals(6, d.size());
        assertEquals(S, d.height());
        // Round 0: ant0 bee0 cat0; round 1: bee1 cat1 (ant has run out); round 2: cat2.
        int[] labels = {0, 1, 2, 1, 2, 2};
        int[] seeds = {0, 10, 20, 11, 21, 22};
        for (int i = 0; i < 6; i++) {
            assertEquals(labels[i], d.label(i), "label of image " + i);
            assertImage(d, i, seeds[i]);
        }
        try (PointerScope scope = new PointerScope()) {
            float[] v = Tensors.floats(d.images(3, 4));
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < S * S; j++) assertEquals(ImageDataset.normalise(c, CifarTestFiles.value(11, c, j)), v[c * S * S + j], 0f);
            }
        }
        ImageDataset test = Cifar10.load(dir, false, 0);
        assertEquals(3, test.size());
        assertImage(test, 2, 52);
        assertEquals(2, test.label(2));
    }

    @Test
    void limitTakesTheFirstInInterleavedOrderAndDecodesNoMore() throws IOException {
        writeTree();
        // Past the limit (round 2), a corrupt file must not be decoded.
        Files.write(dir.resolve("train/cat/img2.png"), new byte[] {1, 2, 3});
        ImageDataset d = Cifar10.load(dir, true, 4);
        assertEquals(4, d.size());
        assertArrayEquals(new int[] {0, 1, 2, 1}, new int[] {d.label(0), d.label(1), d.label(2), d.label(3)});
        assertImage(d, 3, 11);
        assertEquals(6, ImageFolder.interleave(List.of(List.of(dir), List.of(dir, dir, dir), List.of(dir, dir)), 0).size());
    }

    @Test
    void parallelDecodingKeepsTheOrder() throws IOException {
        int perClass = 20;
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < perClass; k++) writePng(dir.resolve("train/k" + c + "/" + String.format("%03d.png", k)), c * 100 + k, S, S);
        }
        ImageDataset d = Cifar10.load(dir, true, 0);
        assertEquals(3 * perClass, d.size());
        for (int i = 0; i < d.size(); i++) {
            assertEquals(i % 3, d.label(i));
            assertImage(d, i, (i % 3) * 100 + i / 3);
        }
    }

    @Test
    void grayAndRgbaBecomeRgbAndJpegDecodes() throws IOException {
        BufferedImage gray = new BufferedImage(S, S, BufferedImage.TYPE_BYTE_GRAY);
        for (int j = 0; j < S * S; j++) gray.getRaster().setSample(j % S, j / S, 0, 16 * j + 3);
        BufferedImage rgba = new BufferedImage(S, S, BufferedImage.TYPE_INT_ARGB);
        for (int j = 0; j < S * S; j++) rgba.setRGB(j % S, j / S, (j * 9) << 24 | (200 - j) << 16 | (j * 5) << 8 | 77);
        BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) flat.setRGB(x, y, 180 << 16 | 60 << 8 | 20);
        CifarTestFiles.write(dir.resolve("train/a/gray.png"), gray, "png");
        CifarTestFiles.write(dir.resolve("train/b/rgba.png"), rgba, "png");
        ImageDataset d = Cifar10.load(dir, true, 0);
        for (int j = 0; j < S * S; j++) {
            for (int c = 0; c < 3; c++) assertEquals(16 * j + 3, d.pixel(0, c, j / S, j % S), "gray value copied to every channel");
            assertEquals(200 - j, d.pixel(1, 0, j / S, j % S));
            assertEquals(j * 5, d.pixel(1, 1, j / S, j % S));
            assertEquals(77, d.pixel(1, 2, j / S, j % S));
        }

        Path jpgDir = dir.resolve("jpg");
        CifarTestFiles.write(jpgDir.resolve("test/only/flat.JPEG"), flat, "jpeg");
        ImageDataset j = Cifar10.load(jpgDir, false, 0);
        assertEquals(16, j.height());
        int[] want = {180, 60, 20};
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 16; y += 5) assertEquals(want[c], j.pixel(0, c, y, y), 3, "JPEG channel " + c);
        }
    }

    @Test
    void missingDirectoryAndNoDataAreNamed() throws IOException {
        assertMentions(loadFails(dir.resolve("nope"), true, 0), "not found", "nope");
        Files.createDirectories(dir.resolve("test/x"));
        IOException e = loadFails(dir, true, 0);
        assertMentions(e, "no CIFAR-10 training data", dir.toString(), "data_batch_1.bin", "cifar-10-batches-bin", "train/");
    }

    @Test
    void corruptImageIsNamed() throws IOException {
        writeTree();
        Files.write(dir.resolve("train/bee/img1.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0, 1, 2});
        Files.write(dir.resolve("train/cat/img2.png"), new byte[] {1, 2, 3}); // also bad, but later in the order
        assertMentions(loadFails(dir, true, 0), "bee", "img1.png");
        Files.write(dir.resolve("train/ant/img0.png"), "plain text".getBytes());
        assertMentions(loadFails(dir, true, 1), "ant", "img0.png", "not a readable image");
    }

    @Test
    void imageOfAnotherSizeIsNamedWithBothSizes() throws IOException {
        writeTree();
        writePng(dir.resolve("train/cat/img1.png"), 0, S, S + 2);
        assertMentions(loadFails(dir, true, 0), "img1.png", S + 2 + "x" + S, S + "x" + S, "img0.png");
    }

    @Test
    void emptyClassFolderIsNamed() throws IOException {
        writeTree();
        Files.createDirectories(dir.resolve("train/dog"));
        Files.createDirectories(dir.resolve("test/dog"));
        Files.writeString(dir.resolve("train/dog/readme.txt"), "no images here");
        assertMentions(loadFails(dir, true, 0), "no images", "dog");
    }

    @Test
    void trainAndTestClassesMustAgree() throws IOException {
        writeTree();
        writePng(dir.resolve("test/dog/x.png"), 1, S, S);
        assertMentions(loadFails(dir, true, 0), "class folders differ", "only in test: [dog]");
        assertMentions(loadFails(dir, false, 0), "class folders differ", "only in test: [dog]", "only in train: []");
    }

    @Test
    void splitWithoutClassFoldersIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("train"));
        assertMentions(loadFails(dir, true, 0), "no class folders", "train");
    }
}
