package io.ispasp.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the official CIFAR-10 binary batches: files of records {@code 1 label byte + 3072 pixel bytes} (the 32x32
 * R plane, then G, then B, rows top to bottom), normally 10000 records a file. The records are already shuffled,
 * so they are kept in file order: {@code data_batch_1.bin .. data_batch_5.bin} for training, {@code test_batch.bin}
 * for testing. Class names come from {@code batches.meta.txt} when it is there.
 */
final class CifarBinary {
    static final int SIDE = 32;
    static final int PIXELS = ImageDataset.CHANNELS * SIDE * SIDE;
    static final int RECORD = 1 + PIXELS;
    /** The folder the official archive unpacks to; the batches may sit in it or directly in the data folder. */
    static final String SUBDIR = "cifar-10-batches-bin";
    static final String META = "batches.meta.txt";
    static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    static final String TEST_FILE = "test_batch.bin";
    /** The CIFAR-10 classes in label order, used when there is no {@code batches.meta.txt}. */
    static final List<String> CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private CifarBinary() {}

    /** The batch files of one split, in reading order. */
    static List<String> files(boolean train) {
        return train ? TRAIN_FILES : List.of(TEST_FILE);
    }

    /** The folder holding the split's first batch file: {@code dir} or {@code dir/cifar-10-batches-bin}; null if neither. */
    static Path locate(Path dir, boolean train) {
        String first = files(train).get(0);
        if (Files.isRegularFile(dir.resolve(first))) return dir;
        Path sub = dir.resolve(SUBDIR);
        return Files.isRegularFile(sub.resolve(first)) ? sub : null;
    }

    /**
     * Reads the first {@code limit} records of the split (all when {@code limit <= 0}) from {@code folder}, touching
     * only the files those records are in.
     *
     * @throws IOException naming the file, when a batch is missing, its length is not a positive multiple of
     *         {@value #RECORD}, a label is above 9, or {@code batches.meta.txt} does not list 10 names
     */
    static ImageDataset read(Path folder, boolean train, int limit) throws IOException {
        List<String> classes = classNames(folder);
        // Sizes first (cheap), so the arrays are allocated once and no file past the limit is opened.
        List<Path> used = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        long total = 0;
        for (String name : files(train)) {
            if (limit > 0 && total >= limit) break;
            Path file = folder.resolve(name);
            int records = recordCount(file);
            used.add(file);
            counts.add(records);
            total += records;
        }
        int n = (int) (limit > 0 ? Math.min(limit, total) : total);
        if ((long) n * PIXELS > ImageDataset.MAX_BYTES) throw new IOException(folder + ": " + n + " images do not fit in memory arrays");
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        int row = 0;
        for (int f = 0; f < used.size() && row < n; f++) {
            int take = Math.min(counts.get(f), n - row);
            readRecords(used.get(f), take, pixels, labels, row, classes.size());
            row += take;
        }
        return ImageDataset.create(pixels, labels, classes, SIDE, SIDE);
    }

    /** Number of records in {@code file}, after checking its length. */
    static int recordCount(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("CIFAR-10 batch file not found: " + file);
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0) {
            throw new IOException(file + ": " + size + " bytes is not a positive multiple of " + RECORD
                    + " (1 label byte + " + PIXELS + " pixel bytes per record); truncated or corrupt batch file");
        }
        if (size / RECORD > Integer.MAX_VALUE) throw new IOException(file + ": too many records (" + size / RECORD + ")");
        return (int) (size / RECORD);
    }

    /** Reads the first {@code count} records of {@code file} into image rows {@code row ..}. */
    private static void readRecords(Path file, int count, byte[] pixels, int[] labels, int row, int numClasses) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (int r = 0; r < count; r++) {
                int label = in.readUnsignedByte();
                if (label >= numClasses) {
                    throw new IOException(file + ": label " + label + " in record " + r + " is outside 0.." + (numClasses - 1)
                            + "; corrupt batch file");
                }
                labels[row + r] = label;
                in.readFully(pixels, (row + r) * PIXELS, PIXELS);
            }
        } catch (EOFException e) {
            // Only when the file shrank after its length was checked.
            throw new IOException(file + ": unexpected end of file", e);
        }
    }

    /** The names in {@code batches.meta.txt} (non-blank lines, trimmed), else the standard CIFAR-10 names. */
    static List<String> classNames(Path folder) throws IOException {
        Path meta = folder.resolve(META);
        if (!Files.isRegularFile(meta)) return CLASSES;
        List<String> lines;
        try {
            lines = Files.readAllLines(meta, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(meta + ": not UTF-8 text", e);
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) names.add(line.trim());
        }
        if (names.size() != CLASSES.size()) {
            throw new IOException(meta + ": expected " + CLASSES.size() + " class names (one per line), found " + names.size());
        }
        return names;
    }
}
