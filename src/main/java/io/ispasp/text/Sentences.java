package io.ispasp.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.ispasp.data.LabeledData;
import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Sentences tokenized for a BERT-family encoder, as a data set without labels: each sample is one sentence's token
 * ids padded with -1 to the longest sentence of the set ({@link #length()}), the form the engine's encoder takes
 * (token type 0, the mask read from the padding). One fixed length keeps every sample the same shape, which carrying
 * activations from unit to unit needs; the FFN units see only the real tokens, so padding costs time in attention,
 * not statistics.
 */
public final class Sentences implements LabeledData {
    private final long[][] ids;     // real tokens only, [CLS] ... [SEP]
    private final int length;

    private Sentences(long[][] ids) {
        this.ids = ids;
        int longest = 1;
        for (long[] row : ids) longest = Math.max(longest, row.length);
        this.length = longest;
    }

    /** {@code sentences} tokenized by {@code tokenizer}. */
    public static Sentences of(List<String> sentences, SentenceTokenizer tokenizer) {
        if (sentences.isEmpty()) throw new IllegalArgumentException("no sentences");
        long[][] ids = new long[sentences.size()][];
        for (int i = 0; i < ids.length; i++) {
            TokenBatch b = tokenizer.encode(List.of(sentences.get(i)));
            ids[i] = b.ids()[0];
        }
        return new Sentences(ids);
    }

    /**
     * The non-blank lines of {@code source} (a text file, or every {@code *.txt} file of a folder in name order),
     * the first {@code limit} of them (0: all), tokenized.
     */
    public static Sentences read(Path source, SentenceTokenizer tokenizer, int limit) throws IOException {
        return of(lines(source, limit), tokenizer);
    }

    /** The non-blank lines of a file or of a folder's {@code *.txt} files, trimmed; at most {@code limit} (0: all). */
    public static List<String> lines(Path source, int limit) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> s = Files.list(source)) {
                s.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p)).sorted().forEach(files::add);
            }
            if (files.isEmpty()) throw new IOException(source + " holds no .txt files of sentences");
        } else if (Files.isRegularFile(source)) {
            files.add(source);
        } else {
            throw new NoSuchFileException(source.toString(), null, "sentence file or folder not found");
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty()) out.add(t);
                if (limit > 0 && out.size() == limit) return out;
            }
        }
        if (out.isEmpty()) throw new IOException(source + " holds no sentences (only blank lines)");
        return out;
    }

    /** The first {@code n} sentences. */
    public Sentences head(int n) {
        if (n < 1 || n > size()) throw new IllegalArgumentException("first " + n + " of " + size() + " sentences");
        long[][] part = new long[n][];
        System.arraycopy(ids, 0, part, 0, n);
        return new Sentences(part);
    }

    /**
     * The same sentences ordered by token count: batches of neighbours then have similar lengths, and the encoder's
     * attention runs only up to each batch's longest sentence (a calibration set's order does not change its sums).
     */
    public Sentences sortedByLength() {
        int[] order = byLength();
        long[][] sorted = new long[order.length][];
        for (int i = 0; i < order.length; i++) sorted[i] = ids[order[i]];
        return new Sentences(sorted);
    }

    /** Tokens per sample, padding included. */
    public int length() { return length; }

    /** Real tokens of every sentence together. */
    public long tokens() {
        long n = 0;
        for (long[] row : ids) n += row.length;
        return n;
    }

    /** Real tokens per sentence: the rows an FFN unit sees per sample. */
    @Override
    public double rowsPerSample() { return tokens() / (double) size(); }

    @Override
    public int size() { return ids.length; }

    /** No classes: an encoder's output is an embedding. */
    @Override
    public int classes() { return 0; }

    @Override
    public long[] sampleShape() { return new long[] {length}; }

    @Override
    public Tensor inputs(int[] rows) { return padded(rows, length); }

    /** The sentences of {@code rows} padded only to the longest of them (inference, where shapes may vary). */
    public Tensor batch(int[] rows) {
        int longest = 1;
        for (int r : rows) longest = Math.max(longest, ids[r].length);
        return padded(rows, longest);
    }

    /** Row indices ordered by token count (then index): batches of similar lengths waste little on padding. */
    public int[] byLength() {
        return java.util.stream.IntStream.range(0, ids.length).boxed()
                .sorted(java.util.Comparator.<Integer>comparingInt(i -> ids[i].length).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    private Tensor padded(int[] rows, int len) {
        long[] flat = new long[rows.length * len];
        java.util.Arrays.fill(flat, -1);
        for (int i = 0; i < rows.length; i++) {
            long[] row = ids[rows[i]];
            System.arraycopy(row, 0, flat, i * len, row.length);
        }
        return Tensors.ofLongs(flat).reshape(rows.length, len);
    }

    @Override
    public Tensor labels(int[] rows) { throw new IllegalStateException("sentences carry no labels"); }
}
