package io.ispasp.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * A model's tokenizer, read from its {@code tokenizer.json} (Hugging Face's format) and run by Hugging Face's own
 * tokenizers library, so the ids are the ones the model was trained with: special tokens added ([CLS] ... [SEP] for
 * BERT), sentences longer than {@code maxTokens} truncated, every batch padded to its longest sentence.
 */
public final class SentenceTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int maxTokens;

    private SentenceTokenizer(HuggingFaceTokenizer tokenizer, Path file, int maxTokens) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.maxTokens = maxTokens;
    }

    /** The tokenizer in {@code tokenizerJson}, truncating at {@code maxTokens} tokens (special tokens included). */
    public static SentenceTokenizer open(Path tokenizerJson, int maxTokens) throws IOException {
        if (maxTokens < 2) throw new IllegalArgumentException("maxTokens must be at least 2 (room for [CLS] and [SEP]), got " + maxTokens);
        if (!Files.isRegularFile(tokenizerJson)) throw new NoSuchFileException(tokenizerJson.toString(), null, "tokenizer not found");
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "padding", "false",
                "maxLength", Integer.toString(maxTokens));
        try {
            return new SentenceTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, options), tokenizerJson, maxTokens);
        } catch (RuntimeException e) { // the native library's parse error arrives as a RuntimeException
            throw new IOException(tokenizerJson + " is not a tokenizer.json that the tokenizers library reads: " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    public int maxTokens() { return maxTokens; }

    /** The sentences as one batch, padded with id 0, mask 0 and type 0 to the longest. */
    public TokenBatch encode(List<String> sentences) {
        Encoding[] enc = new Encoding[sentences.size()];
        int longest = 0;
        for (int i = 0; i < enc.length; i++) {
            enc[i] = tokenizer.encode(sentences.get(i));
            longest = Math.max(longest, enc[i].getIds().length);
        }
        long[][] ids = new long[enc.length][longest];
        long[][] mask = new long[enc.length][longest];
        long[][] types = new long[enc.length][longest];
        for (int i = 0; i < enc.length; i++) {
            long[] id = enc[i].getIds();
            System.arraycopy(id, 0, ids[i], 0, id.length);
            System.arraycopy(enc[i].getAttentionMask(), 0, mask[i], 0, id.length);
            System.arraycopy(enc[i].getTypeIds(), 0, types[i], 0, id.length);
        }
        return new TokenBatch(ids, mask, types);
    }

    /** The tokens of one sentence as strings (special tokens included), for messages and tests. */
    public List<String> tokens(String sentence) {
        return List.of(tokenizer.encode(sentence).getTokens());
    }

    @Override
    public void close() { tokenizer.close(); }
}
