package io.ispasp.text;

/**
 * Sentences as a BERT-family encoder takes them, all rows padded to the longest: token ids, attention mask (1 for a
 * real token, 0 for padding) and token type ids, each {@code [sentences][tokens]}.
 */
public record TokenBatch(long[][] ids, long[][] mask, long[][] types) {
    public int sentences() { return ids.length; }

    public int length() { return ids.length == 0 ? 0 : ids[0].length; }

    /**
     * The ids as the engine's encoder takes them, row-major [sentences x length], with -1 at padding (the encoder
     * derives the attention mask from it).
     */
    public long[] engineIds() {
        long[] out = new long[sentences() * length()];
        for (int i = 0; i < ids.length; i++) {
            for (int t = 0; t < ids[i].length; t++) out[i * length() + t] = mask[i][t] != 0 ? ids[i][t] : -1;
        }
        return out;
    }

    /** Real (unpadded) tokens in all rows together: the rows the statistics of an FFN unit see. */
    public long tokens() {
        long n = 0;
        for (long[] row : mask) for (long m : row) n += m;
        return n;
    }
}
