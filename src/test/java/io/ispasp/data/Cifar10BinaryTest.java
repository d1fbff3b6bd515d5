package io.ispasp.data;

import static io.ispasp.data.CifarTestFiles.writeBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10BinaryTest {
    @TempDir Path dir;

    /** Five train batches of 3, 2, 2, 1, 2 records; image i has seed 100 + i and label i % 10. */
    private void writeTrain(Path folder) throws IOException {
        int[] counts = {3, 2, 2, 1, 2};
        int next = 0;
        for (int b = 0; b < 5; b++) {
            int[] labels = new int[counts[b]];
            int[] seeds = new int[counts[b]];
            for (int r = 0; r < counts[b]; r++, next++) {
                labels[r] = next % 10;
                seeds[r] = 100 + next;
            }
            writeBatch(folder.resolve("data_batch_" + (b + 1) + ".bin"), labels, seeds);
        }
    }

    private static IOException loadFails(Path dir, boolean train, int limit) {
        return assertThrows(IOException.class, () -> Cifar10.load(dir, train, limit));
    }

    private static void assertMentions(IOException e, String... parts) {
        assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    @Test
    void readsTrainBatchesInFileOrderWithExactRgbPlanes() throws IOException {
        writeTrain(dir);
        ImageDataset d = Cifar10.load(dir, true, 0);
        assertEquals(10, d.size());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        assertEquals(CifarBinary.CLASSES, d.classNames());
        for (int i = 0; i < 10; i++) {
            assertEquals(i % 10, d.label(i));
            for (int c = 0; c < 3; c++) {
                // First, a middle and the last byte of every plane: R plane first, row-major.
                for (int j : new int[] {0, 33, 1023}) assertEquals(CifarTestFiles.value(100 + i, c, j), d.pixel(i, c, j / 32, j % 32));
            }
        }
        try (PointerScope scope = new PointerScope()) {
            float[] v = Tensors.floats(d.images(9, 10));
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 1024; j++) assertEquals(ImageDataset.normalise(c, CifarTestFiles.value(109, c, j)), v[c * 1024 + j], 0f);
            }
        }
    }

    @Test
    void readsTestBatchFromTheArchiveSubfolderWithMetaNames() throws IOException {
        Path sub = dir.resolve("cifar-10-batches-bin");
        writeBatch(sub.resolve("test_batch.bin"), new int[] {9, 0, 4}, new int[] {1, 2, 3});
        List<String> names = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        Files.writeString(sub.resolve("batches.meta.txt"), String.join("\n", names) + "\n\n", StandardCharsets.UTF_8);
        ImageDataset d = Cifar10.load(dir, false, -1);
        assertEquals(3, d.size());
        assertEquals(names, d.classNames());
        assertEquals(9, d.label(0));
        assertEquals(4, d.label(2));
        assertEquals(CifarTestFiles.value(3, 2, 500), d.pixel(2, 2, 500 / 32, 500 % 32));
    }

    @Test
    void limitCrossesBatchesAndReadsNoFurther() throws IOException {
        writeTrain(dir);
        // Batch 4 is corrupt: a limit inside batches 1-3 must not open it.
        Files.write(dir.resolve("data_batch_4.bin"), new byte[100]);
        ImageDataset d = Cifar10.load(dir, true, 6);
        assertEquals(6, d.size());
        assertEquals(5, d.label(5));
        assertEquals(CifarTestFiles.value(105, 1, 7), d.pixel(5, 1, 0, 7));
        assertEquals(1, Cifar10.load(dir, true, 1).size());
        assertMentions(loadFails(dir, true, 8), "data_batch_4.bin", "3073");
    }

    @Test
    void wrongLengthIsTruncatedOrCorrupt() throws IOException {
        writeBatch(dir.resolve("test_batch.bin"), new int[] {1, 2}, new int[] {1, 2});
        byte[] bytes = Files.readAllBytes(dir.resolve("test_batch.bin"));
        Files.write(dir.resolve("test_batch.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertMentions(loadFails(dir, false, 0), "test_batch.bin", "6145 bytes", "multiple of 3073", "truncated");
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        assertMentions(loadFails(dir, false, 0), "test_batch.bin", "multiple of 3073");
    }

    @Test
    void labelAboveNineIsRejected() throws IOException {
        writeBatch(dir.resolve("test_batch.bin"), new int[] {3, 10}, new int[] {1, 2});
        assertMentions(loadFails(dir, false, 0), "test_batch.bin", "label 10", "record 1", "0..9");
        assertEquals(1, Cifar10.load(dir, false, 1).size()); // the bad record lies past the limit
    }

    @Test
    void missingTrainBatchIsNamed() throws IOException {
        writeTrain(dir);
        Files.delete(dir.resolve("data_batch_3.bin"));
        assertMentions(loadFails(dir, true, 0), "data_batch_3.bin", "not found");
    }

    @Test
    void metaWithWrongNameCountIsRejected() throws IOException {
        writeBatch(dir.resolve("test_batch.bin"), new int[] {1}, new int[] {1});
        Files.writeString(dir.resolve("batches.meta.txt"), "cat\ndog\n");
        assertMentions(loadFails(dir, false, 0), "batches.meta.txt", "10 class names", "found 2");
    }

    @Test
    void binaryBatchesWinOverImageFolders() throws IOException {
        writeBatch(dir.resolve("test_batch.bin"), new int[] {7}, new int[] {1});
        CifarTestFiles.writePng(dir.resolve("test/zebra/a.png"), 1, 8, 8);
        ImageDataset d = Cifar10.load(dir, false, 0);
        assertEquals(32, d.height());
        assertEquals(7, d.label(0));
        assertTrue(Cifar10.present(dir, false));
        assertTrue(!Cifar10.present(dir, true));
    }
}
