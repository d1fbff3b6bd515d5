package io.ispasp.text;

/**
 * Sentences as a BERT-family encoder takes them, all rows padded to the longest: token ids, attention mask (1 for a
 * real token, 0 for padding) and token type ids, each {@code [sentences][tokens]}.
 */
public record TokenBatch(long[][] ids, long[][] mask, long[][] types) {
    public int sentences() { return ids.length; }

    public int length() { return ids.length == 0 ? 0 : ids[0].length; }

    /** Real (unpadded) tokens in all rows together: the rows the statistics of an FFN unit see. */
    public long tokens() {
        long n = 0;
        for (long[] row : mask) for (long m : row) n += m;
        return n;
    }
}
