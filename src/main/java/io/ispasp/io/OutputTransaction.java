package io.ispasp.io;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All outputs of one command as one transaction. {@link #of} checks every output before any work starts (its
 * folder exists and takes new files, it is not a folder, no path is given twice); {@link #write} puts each
 * content in a temporary file beside its target; {@link #commit} renames them all into place, restoring the old
 * files if a rename fails half-way; {@link #close} removes whatever was not committed. So a failed or interrupted
 * command leaves every old file byte-identical and no temporary file behind (see {@link TempFiles}).
 */
public final class OutputTransaction implements AutoCloseable {
    /** One output: the option or role that names it (for messages) and its path. */
    public record Output(String option, Path path) {}

    private final Map<Path, Slot> slots = new LinkedHashMap<>(); // by absolute target, in declaration order
    private boolean committed;

    private static final class Slot {
        final Output output;
        final Path target;
        Path temp;

        Slot(Output output, Path target) {
            this.output = output;
            this.target = target;
        }
    }

    private OutputTransaction() {}

    /** Checks {@code outputs} (null paths are skipped) and opens the transaction; refuses bad outputs with one line. */
    public static OutputTransaction of(Output... outputs) throws IOException {
        OutputTransaction tx = new OutputTransaction();
        for (Output o : outputs) if (o.path() != null) tx.declare(o);
        return tx;
    }

    /** Shorthand for {@code of(new Output(option, path))}. */
    public static OutputTransaction of(String option, Path path) throws IOException {
        return of(new Output(option, path));
    }

    private void declare(Output o) throws IOException {
        String what = o.option() + " " + o.path();
        Path abs = o.path().toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) throw new IllegalArgumentException(what + ": not a file name");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(what + ": folder " + dir + " does not exist");
        if (Files.isDirectory(abs)) throw new IllegalArgumentException(what + " is a folder, not a file");
        if (Files.exists(abs) && !Files.isRegularFile(abs)) throw new IllegalArgumentException(what + " exists and is not a regular file");
        Path target = dir.toRealPath().resolve(abs.getFileName());
        Slot same = slots.get(target);
        if (same != null) {
            throw new IllegalArgumentException(what + " is the same file as " + same.output.option() + " " + same.output.path()
                    + "; give each output its own path");
        }
        Path probe;
        try {
            probe = TempFiles.create(target);
        } catch (IOException e) {
            throw new IOException(what + ": cannot create files in " + dir + " (" + reason(e) + ")", e);
        }
        TempFiles.delete(probe);
        slots.put(target, new Slot(o, target));
    }

    /** Writes the content of the declared output {@code path} into its temporary file (replacing an earlier one). */
    public void write(Path path, AtomicFiles.Writer writer) throws IOException {
        Slot slot = slot(path);
        if (slot.temp != null) TempFiles.delete(slot.temp);
        slot.temp = null;
        Path temp = TempFiles.create(slot.target);
        try {
            try (FileOutputStream file = new FileOutputStream(temp.toFile());
                 OutputStream out = new BufferedOutputStream(file, 1 << 16)) {
                writer.write(out);
                out.flush();
                file.getFD().sync(); // on disk before the rename makes it the output
            }
        } catch (IOException e) {
            TempFiles.delete(temp);
            throw new IOException("cannot write " + slot.output.path() + ": " + reason(e), e);
        } catch (RuntimeException | Error e) {
            TempFiles.delete(temp);
            throw e;
        }
        slot.temp = temp;
    }

    /** Writes {@code text} (UTF-8) as the content of the declared output {@code path}. */
    public void writeString(Path path, String text) throws IOException {
        write(path, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Renames every written output into place. Every declared output must have been written. If a rename fails,
     * the outputs already renamed get their old content back (from hard links made first) and the error names the
     * output; the process shutting down (SIGTERM, SIGINT) waits for the renames or, before they start, stops them.
     */
    public void commit() throws IOException {
        if (committed) throw new IllegalStateException("the outputs were committed already");
        for (Slot s : slots.values()) {
            if (s.temp == null) throw new IllegalStateException(s.output.option() + " " + s.output.path() + " was not written");
        }
        if (slots.isEmpty()) {
            committed = true;
            return;
        }
        TempFiles.commit(slots.keySet().iterator().next(), this::renameAll);
        committed = true;
        slots.values().stream().map(s -> s.target.getParent()).distinct().forEach(TempFiles::removeStale);
    }

    private void renameAll() throws IOException {
        Map<Slot, Path> backups = new LinkedHashMap<>(); // null: no old file, or no hard links on this file system
        Map<Slot, Boolean> existed = new LinkedHashMap<>();
        List<Slot> done = new ArrayList<>();
        try {
            for (Slot s : slots.values()) {
                existed.put(s, Files.exists(s.target));
                try {
                    backups.put(s, existed.get(s) ? TempFiles.link(s.target) : null);
                } catch (IOException e) {
                    throw new IOException("cannot replace " + s.output.path() + " (" + reason(e) + "); no output was changed", e);
                }
            }
            for (Slot s : slots.values()) {
                try {
                    move(s.temp, s.target);
                } catch (IOException e) {
                    restore(done, backups, existed);
                    throw new IOException("cannot put " + s.output.path() + " in place (" + reason(e) + ")"
                            + (done.isEmpty() ? "" : "; the outputs renamed before it were restored"), e);
                }
                TempFiles.released(s.temp);
                s.temp = null;
                done.add(s);
            }
        } finally {
            for (Path b : backups.values()) if (b != null) TempFiles.delete(b);
        }
    }

    private static void restore(List<Slot> done, Map<Slot, Path> backups, Map<Slot, Boolean> existed) {
        for (Slot s : done) {
            Path b = backups.get(s);
            try {
                if (b != null) {
                    move(b, s.target);
                    TempFiles.released(b);
                    backups.put(s, null);
                } else if (!existed.get(s)) {
                    Files.deleteIfExists(s.target);
                }
            } catch (IOException ignored) {
                // best effort: the error reported names the failing output
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Slot slot(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        for (Slot s : slots.values()) {
            if (s.output.path().toAbsolutePath().normalize().equals(abs)) return s;
        }
        throw new IllegalStateException(path + " is not an output of this transaction");
    }

    /** The I/O error's own words (NIO gives only the path for some). */
    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Removes every temporary file not committed; the old files stay as they were. */
    @Override
    public void close() {
        for (Slot s : slots.values()) {
            if (s.temp != null) {
                TempFiles.delete(s.temp);
                s.temp = null;
            }
        }
    }
}
