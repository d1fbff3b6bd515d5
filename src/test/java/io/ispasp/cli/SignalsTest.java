package io.ispasp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ispasp.io.AtomicFiles;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM and SIGINT (Ctrl-C) during a write and during a prune, in a child JVM: exit 128 + the signal, one
 * {@code error:} line, the old file byte-identical, no temporary file left. SIGKILL cannot be handled: its
 * temporary file is removed by the next successful write there.
 */
class SignalsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalDuringAWriteLeavesTheOldFileAndNoTemporary(String signal) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("write-" + signal));
        Path out = Files.writeString(folder.resolve("model.ckpt"), "old model");
        Process p = new ProcessBuilder(ChildJvm.command(SlowOutput.class, out.toString())).redirectError(folder.resolveSibling(signal + ".err").toFile()).start();
        awaitLine(p, "WRITING");
        assertTrue(temporaries(folder).size() == 1, "the write is under way in a temporary file");
        kill(p, signal);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits after the signal");
        String err = Files.readString(folder.resolveSibling(signal + ".err"));
        assertEquals(signal.equals("TERM") ? 143 : 130, p.exitValue(), err);
        assertEquals(List.of("error: interrupted by SIG" + signal + " (each output is either complete or as it was)"),
                err.lines().filter(l -> l.startsWith("error:")).toList(), err);
        assertEquals("old model", Files.readString(out));
        assertEquals(List.of(), temporaries(folder));
    }

    @Test
    void sigkillLeavesATemporaryThatTheNextWriteThereRemoves() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("kill"));
        Path out = Files.writeString(folder.resolve("model.ckpt"), "old model");
        Process p = new ProcessBuilder(ChildJvm.command(SlowOutput.class, out.toString())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        awaitLine(p, "WRITING");
        p.destroyForcibly();
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(1, temporaries(folder).size(), "SIGKILL leaves the temporary file");
        assertEquals("old model", Files.readString(out));
        AtomicFiles.writeString(folder.resolve("report.json"), "{}"); // another output, same folder
        assertEquals(List.of(), temporaries(folder));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalDuringAPruneLeavesTheOldOutputs(String signal) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("prune-" + signal));
        Path model = folder.resolve("dense.ckpt");
        try (Network net = Network.random(Mlp.relu(784, 512, 10), 1)) {
            NetworkCheckpoint.save(net, model);
        }
        Path data = Files.createDirectories(folder.resolve("mnist"));
        CliTest.writeSplit(data, true, 400, 1);
        CliTest.writeSplit(data, false, 50, 2);
        Path out = Files.writeString(folder.resolve("pruned.pt"), "old model"), report = Files.writeString(folder.resolve("r.json"), "old report");
        Path errFile = folder.resolveSibling("prune-" + signal + ".err");
        // exact GFS on 512 neurons: long enough to be signalled while it works
        Process p = new ProcessBuilder(ChildJvm.command(Main.class, "prune", "--model", model.toString(), "--data", data.toString(),
                "--method", "gfs", "--gfs-candidates", "0", "--ratio", "0.5", "--calib", "400", "--out", out.toString(),
                "--report", report.toString())).redirectError(errFile.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(errFile).contains("device ") && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(p.isAlive(), "the prune is still running when signalled:\n" + Files.readString(errFile));
        kill(p, signal);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits after the signal");
        String err = Files.readString(errFile);
        assertEquals(signal.equals("TERM") ? 143 : 130, p.exitValue(), err);
        assertEquals(1, err.lines().filter(l -> l.startsWith("error:")).count(), err);
        assertEquals("old model", Files.readString(out));
        assertEquals("old report", Files.readString(report));
        assertEquals(List.of(), temporaries(folder));
    }

    private static void awaitLine(Process p, String line) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String l; (l = r.readLine()) != null; ) if (l.equals(line)) return;
        throw new AssertionError("the child ended before printing " + line + ", exit " + p.exitValue());
    }

    private static void kill(Process p, String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, k.waitFor());
    }

    private static List<Path> temporaries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(f -> f.getFileName().toString().contains(".ispasp-")).toList();
        }
    }
}
