package io.ispasp.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * One output written as a transaction of its own ({@link OutputTransaction}): a temporary sibling, then a rename,
 * so a failure never leaves a partial file and never damages what was there before.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes the whole content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        try (OutputTransaction tx = OutputTransaction.of("output", target)) {
            tx.write(target, writer);
            tx.commit();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
