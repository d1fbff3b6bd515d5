package io.ispasp.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The engine's temporary files beside an output: {@code .NAME.ispasp-PID-RANDOM.tmp} (the content being written) and
 * {@code .bak} (a link to the old file while outputs are renamed into place). Every one is removed when its write
 * fails, at JVM exit (shutdown hooks run on SIGTERM and SIGINT) and, when a killed process left some behind, by the
 * next commit into that folder (only those whose process is gone).
 */
final class TempFiles {
    static final String MARK = ".ispasp-";
    private static final Object LOCK = new Object();
    private static final Set<Path> LIVE = new HashSet<>();
    private static boolean shuttingDown;
    private static boolean hooked;

    private TempFiles() {}

    /** Something that renames files into place. */
    @FunctionalInterface
    interface Renames {
        void run() throws IOException;
    }

    /** A new, empty temporary file beside {@code target} (absolute), owned by this process until {@link #delete}. */
    static Path create(Path target) throws IOException {
        synchronized (LOCK) {
            refuseWhenShuttingDown(target);
            hook();
            Path tmp = Files.createFile(name(target, "tmp"));
            LIVE.add(tmp);
            return tmp;
        }
    }

    /** A hard link to {@code target} beside it, or null when the file system has no hard links. */
    static Path link(Path target) throws IOException {
        synchronized (LOCK) {
            refuseWhenShuttingDown(target);
            hook();
            Path bak = name(target, "bak");
            try {
                Files.createLink(bak, target);
            } catch (UnsupportedOperationException e) {
                return null;
            }
            LIVE.add(bak);
            return bak;
        }
    }

    private static Path name(Path target, String kind) {
        long r = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        return target.resolveSibling("." + target.getFileName() + MARK + ProcessHandle.current().pid() + "-" + Long.toString(r, 36) + "." + kind);
    }

    /** {@code file} was renamed into place: no longer a temporary file. */
    static void released(Path file) {
        synchronized (LOCK) {
            LIVE.remove(file);
        }
    }

    /** Deletes {@code file} if it exists; never throws (a temp file that cannot be deleted is left to the next run). */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next successful commit in this folder removes it
        }
        released(file);
    }

    /**
     * Runs {@code renames} so that JVM shutdown never interrupts them half-way: the shutdown hook waits for them,
     * and once shutdown has begun they do not start.
     */
    static void commit(Path anyTarget, Renames renames) throws IOException {
        synchronized (LOCK) {
            refuseWhenShuttingDown(anyTarget);
            renames.run();
        }
    }

    /** Removes the engine's temporary files in {@code dir} whose writing process is gone. */
    static void removeStale(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + MARK + "*")) {
            long self = ProcessHandle.current().pid();
            for (Path f : files) {
                long pid = writer(f.getFileName().toString());
                if (pid <= 0 || pid == self) continue;
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                delete(f);
            }
        } catch (IOException | RuntimeException ignored) {
            // cleaning is a courtesy: never fail a finished run over it
        }
    }

    /** The process id in an engine temp file's name, or -1 when the name is not of the engine's form. */
    static long writer(String name) {
        if (!(name.endsWith(".tmp") || name.endsWith(".bak"))) return -1;
        int at = name.lastIndexOf(MARK);
        if (at < 0) return -1;
        int dash = name.indexOf('-', at + MARK.length());
        if (dash < 0) return -1;
        try {
            return Long.parseLong(name.substring(at + MARK.length(), dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void refuseWhenShuttingDown(Path target) throws IOException {
        if (shuttingDown) throw new IOException("not writing " + target + ": the process is shutting down");
    }

    private static void hook() {
        if (hooked) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::removeAll, "ispasp-temp-files"));
    }

    private static void removeAll() {
        synchronized (LOCK) {
            shuttingDown = true;
            for (Path f : Set.copyOf(LIVE)) delete(f);
        }
    }
}
