package io.ispasp.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A scratch file for data too big for memory (the pruner's spilled activations), read and written at byte offsets.
 * On POSIX systems its name is removed right after it is opened, so nothing is left on disk however the process ends
 * (also SIGKILL): the space goes back when the channel closes. Elsewhere it is deleted on close, and its name
 * ({@code .spill.ispasp-PID-RANDOM.tmp}) lets the next commit into that folder remove it if a killed process left it
 * ({@link TempFiles}).
 */
public final class ScratchFile implements AutoCloseable {
    private final Path folder;
    private final FileChannel channel;

    private ScratchFile(Path folder, FileChannel channel) {
        this.folder = folder;
        this.channel = channel;
    }

    /** A new, empty scratch file in {@code folder}; the IOException names the folder. */
    public static ScratchFile open(Path folder) throws IOException {
        Path dir = folder.toAbsolutePath();
        if (!Files.isDirectory(dir)) throw new IOException("spill folder " + dir + " is not a folder");
        long r = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        Path file = dir.resolve(".spill" + TempFiles.MARK + ProcessHandle.current().pid() + "-" + Long.toString(r, 36) + ".tmp");
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new IOException("cannot create a spill file in " + dir + ": " + reason(e), e);
        }
        try {
            Files.deleteIfExists(file);   // POSIX: the open channel keeps the data; no name is left behind
        } catch (IOException e) {
            // Windows: an open file cannot be deleted; DELETE_ON_CLOSE removes it
        }
        return new ScratchFile(dir, ch);
    }

    /** Writes all of {@code data} at byte {@code offset}. */
    public void write(ByteBuffer data, long offset) throws IOException {
        try {
            while (data.hasRemaining()) offset += channel.write(data, offset);
        } catch (IOException e) {
            throw new IOException("cannot write the spill file in " + folder + ": " + reason(e), e);
        }
    }

    /** Fills {@code into} from byte {@code offset}. */
    public void read(ByteBuffer into, long offset) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, offset);
            if (n < 0) throw new IOException("the spill file in " + folder + " ended at byte " + offset);
            offset += n;
        }
    }

    /** The folder the file is in. */
    public Path folder() { return folder; }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to save: the data is scratch
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
