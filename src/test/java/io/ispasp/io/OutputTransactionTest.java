package io.ispasp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;

import io.ispasp.io.OutputTransaction.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs appear whole or not at all, all of a command's outputs together; old files are never damaged; no
 * temporary file outlives a failure; bad output paths are refused before any work.
 */
class OutputTransactionTest {
    @TempDir
    Path dir;

    @Test
    void failedWriteKeepsTheOldFileLeavesNoTemporaryAndNamesThePath() throws IOException {
        Path f = dir.resolve("report.json");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes());
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("No space left"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("report.json"), names(), "no temporary file is left behind");
    }

    @Test
    void outputIsReadableByOthers() throws IOException {
        Path f = dir.resolve("model.ckpt");
        AtomicFiles.writeString(f, "x");
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ));
        }
    }

    @Test
    void badOutputsAreRefusedBeforeAnyWorkWithTheOptionNamed() throws IOException {
        Path missing = dir.resolve("nope/out.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputTransaction.of("--report", missing));
        assertTrue(e.getMessage().startsWith("--report ") && e.getMessage().contains("nope"), e.getMessage());

        Path folder = Files.createDirectory(dir.resolve("folder.json"));
        e = assertThrows(IllegalArgumentException.class, () -> OutputTransaction.of("--report", folder));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());

        Path same = dir.resolve("same.json");
        e = assertThrows(IllegalArgumentException.class, () -> OutputTransaction.of(new Output("--out", same),
                new Output("--report", dir.resolve("sub/../same.json"))));
        assertTrue(e.getMessage().contains("same file as --out"), e.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
        e = assertThrows(IllegalArgumentException.class, () -> OutputTransaction.of(new Output("--out", same),
                new Output("--report", link.resolve("same.json"))));
        assertTrue(e.getMessage().contains("same file as --out"), e.getMessage());
        assertEquals(List.of("folder.json", "link"), names(), "checking creates nothing");
    }

    @Test
    void allOutputsAppearTogetherOnCommitAndNoneWithoutIt() throws IOException {
        Path a = dir.resolve("a.ckpt"), b = dir.resolve("b.json");
        Files.writeString(a, "old a");
        try (OutputTransaction tx = OutputTransaction.of(new Output("--out", a), new Output("--report", b))) {
            tx.writeString(a, "new a");
            tx.writeString(b, "new b");
            assertEquals("old a", Files.readString(a), "nothing moves before the commit");
            assertFalse(Files.exists(b));
        } // closed without commit: a failure later in the command
        assertEquals("old a", Files.readString(a));
        assertEquals(List.of("a.ckpt"), names());

        try (OutputTransaction tx = OutputTransaction.of(new Output("--out", a), new Output("--report", b))) {
            tx.writeString(a, "new a");
            assertThrows(IllegalStateException.class, tx::commit, "an output that was not written stops the commit");
            tx.writeString(b, "new b");
            tx.commit();
        }
        assertEquals("new a", Files.readString(a));
        assertEquals("new b", Files.readString(b));
        assertEquals(List.of("a.ckpt", "b.json"), names());
    }

    @Test
    void aRenameThatFailsHalfWayRestoresTheOutputsBeforeIt() throws IOException {
        Path a = dir.resolve("a.ckpt"), b = dir.resolve("b.json"), c = dir.resolve("c.json");
        Files.writeString(a, "old a");
        try (OutputTransaction tx = OutputTransaction.of(new Output("--out", a), new Output("--log", c), new Output("--report", b))) {
            tx.writeString(a, "new a");
            tx.writeString(c, "new c");
            tx.writeString(b, "new b");
            // b's temporary file vanishes (someone cleans the folder): its rename fails after a's and c's succeeded
            try (Stream<Path> s = Files.list(dir)) {
                for (Path t : s.filter(p -> p.getFileName().toString().startsWith(".b.json")).toList()) Files.delete(t);
            }
            IOException e = assertThrows(IOException.class, tx::commit);
            assertTrue(e.getMessage().contains(b.toString()) && e.getMessage().contains("restored"), e.getMessage());
        }
        assertEquals("old a", Files.readString(a), "the old content is back");
        assertFalse(Files.exists(c), "an output that did not exist before is gone again");
        assertEquals(List.of("a.ckpt"), names(), "no temporary or backup file is left");
    }

    @Test
    void staleTemporariesOfDeadProcessesAreRemovedByTheNextCommitThere() throws IOException {
        long dead = deadPid();
        long alive = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        Path stale = Files.writeString(dir.resolve(".out.ckpt" + TempFiles.MARK + dead + "-abc.tmp"), "x");
        Path staleLink = Files.writeString(dir.resolve(".other.pt" + TempFiles.MARK + dead + "-def.bak"), "x");
        Path busy = Files.writeString(dir.resolve(".out.ckpt" + TempFiles.MARK + alive + "-ghi.tmp"), "x");
        Path foreign = Files.writeString(dir.resolve(".out.ckpt12345.tmp"), "x"); // not the engine's naming
        AtomicFiles.writeString(dir.resolve("out.ckpt"), "new");
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleLink));
        assertTrue(Files.exists(busy), "a running writer's temporary file stays");
        assertTrue(Files.exists(foreign));
    }

    @Test
    void theWriterIsReadFromTheEngineNamingOnly() {
        assertEquals(42, TempFiles.writer(".m.pt" + TempFiles.MARK + "42-x1.tmp"));
        assertEquals(42, TempFiles.writer(".m.pt" + TempFiles.MARK + "42-x1.bak"));
        assertEquals(-1, TempFiles.writer(".m.pt" + TempFiles.MARK + "42-x1.txt"));
        assertEquals(-1, TempFiles.writer(".m.pt" + TempFiles.MARK + "x-1.tmp"));
        assertEquals(-1, TempFiles.writer(".m.pt123.tmp"));
    }

    @Test
    void contentIsWrittenByteForByte() throws IOException {
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        Path f = dir.resolve("blob.ckpt");
        AtomicFiles.write(f, out -> out.write(data));
        assertArrayEquals(data, Files.readAllBytes(f));
    }

    private static long deadPid() {
        long pid = 4_000_000; // above pid_max on a default Linux; checked anyway
        while (ProcessHandle.of(pid).isPresent()) pid++;
        return pid;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
