package io.ispasp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every writer on a full file system (64 KB left of a tmpfs, less than any model here) and on a read-only one, in
 * the CLI and the embedding API: the JVM is not aborted (libtorch's TorchScript writer used to), the exit says so
 * with one {@code error:} line naming the file and the cause, the old files are byte-identical and no temporary file
 * is left. The tmpfs lives in a private mount namespace ({@code unshare -m}, root only; skipped with the reason
 * otherwise; CI runs as root).
 */
class FileSystemFaultsTest {
    @TempDir
    static Path dir;
    static Path model, data;

    @BeforeAll
    static void setUp() throws IOException {
        String why = ChildJvm.whyNoMountNamespace();
        Assumptions.assumeTrue(why == null, why);
        TorchRuntime.init();
        model = dir.resolve("model.ckpt");
        try (Network net = Network.random(Mlp.relu(784, 256, 10), 1)) {
            NetworkCheckpoint.save(net, model); // 0.8 MB
        }
        data = Files.createDirectories(dir.resolve("mnist"));
        CliTest.writeSplit(data, true, 200, 1);
        CliTest.writeSplit(data, false, 50, 2);
    }

    /** A case: its name, the outputs it writes into the faulty folder F, the child's command (F as the placeholder). */
    static Stream<Arguments> writers() {
        return Stream.of(
                Arguments.of("export TorchScript", List.of("x.pt"), cli("export", "--model", "@model", "--out", "F/x.pt")),
                Arguments.of("export checkpoint", List.of("x.ckpt"), cli("export", "--model", "@model", "--out", "F/x.ckpt")),
                Arguments.of("prune TorchScript + report", List.of("x.pt", "r.json"), cli("prune", "--model", "@model", "--data", "@data",
                        "--ratio", "0.5", "--calib", "100", "--out", "F/x.pt", "--report", "F/r.json")),
                Arguments.of("prune checkpoint + report", List.of("x.ckpt", "r.json"), cli("prune", "--model", "@model", "--data", "@data",
                        "--method", "magnitude", "--ratio", "0.5", "--out", "F/x.ckpt", "--report", "F/r.json")),
                Arguments.of("finetune checkpoint", List.of("x.ckpt"), cli("finetune", "--model", "@model", "--data", "@data",
                        "--epochs", "1", "--out", "F/x.ckpt")),
                Arguments.of("API save TorchScript", List.of("x.pt"), ChildJvm.command(SaveOnFullDisk.class, "F/x.pt")),
                Arguments.of("API save checkpoint", List.of("x.ckpt"), ChildJvm.command(SaveOnFullDisk.class, "F/x.ckpt")));
    }

    private static List<String> cli(String... args) {
        return ChildJvm.command(Main.class, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void aFullDiskIsAnErrorAndDamagesNothing(String name, List<String> outputs, List<String> command) throws Exception {
        Path f = folder("full-", name);
        Outcome o = runIn(f, "size=4m", true, outputs, command);
        String message = failure(o, name, command);
        assertTrue(message.contains("No space left on device") && message.contains(f + "/" + outputs.get(0)), name + ": " + message);
        o.assertUntouched(name, outputs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void aReadOnlyFolderIsRefusedBeforeAnyWork(String name, List<String> outputs, List<String> command) throws Exception {
        Path f = folder("ro-", name);
        Outcome o = runIn(f, "size=1m", false, outputs, command);
        String message = failure(o, name, command);
        assertTrue(message.contains("Read-only file system") && message.contains(f.toString()), name + ": " + message);
        assertTrue(!o.err.contains("pruned ") && !o.err.contains("training"), name + ": work started before the check\n" + o.err);
        o.assertUntouched(name, outputs);
    }

    /** A fresh folder for one case, named after it. */
    private static Path folder(String prefix, String name) throws IOException {
        return Files.createDirectories(dir.resolve(prefix + name.replace(' ', '-').replace("+", "")));
    }

    /**
     * The failure's message, once the exit status is checked: the CLI exits 1 with one {@code error:} line (134 would
     * be the JVM's abort); the API child exits 3 after catching an IOException.
     */
    private static String failure(Outcome o, String name, List<String> command) {
        if (command.contains(SaveOnFullDisk.class.getName())) {
            assertEquals(3, o.code, name + ": exit status\n" + o.err + o.out);
            return o.out.lines().filter(l -> l.startsWith("caught: ")).findFirst().orElse("");
        }
        assertEquals(1, o.code, name + ": exit status\n" + o.err + o.out);
        List<String> lines = o.err.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, lines.size(), name + ": one error line\n" + o.err);
        return lines.get(0);
    }

    /** What the child did and what the folder held afterwards. */
    private record Outcome(int code, String out, String err, List<String> listing, List<String> contents) {
        void assertUntouched(String name, List<String> outputs) {
            List<String> expected = new ArrayList<>(outputs);
            if (listing.contains("fill")) expected.add("fill");
            assertEquals(expected.stream().sorted().toList(), listing, name + ": the folder holds the old files only (no temporary file)");
            for (int i = 0; i < outputs.size(); i++) assertEquals("old " + outputs.get(i), contents.get(i), name + ": " + outputs.get(i));
        }
    }

    /**
     * Mounts a tmpfs on {@code f} in a private mount namespace, puts "old NAME" in each output, fills the file system
     * to 64 KB from full ({@code fill}) or remounts it read-only, runs {@code command} with F, @model and @data
     * replaced, and reports what happened.
     */
    private static Outcome runIn(Path f, String size, boolean fill, List<String> outputs, List<String> command) throws Exception {
        Path report = Files.createDirectories(f.resolveSibling(f.getFileName() + "-report"));
        List<String> cmd = command.stream().map(w -> w.replace("F/", f + "/").replace("@model", model.toString())
                .replace("@data", data.toString())).toList();
        StringBuilder sh = new StringBuilder("set -e\n");
        sh.append("mount -t tmpfs -o ").append(size).append(" tmpfs '").append(f).append("'\n");
        for (String o : outputs) sh.append("printf 'old ").append(o).append("' > '").append(f.resolve(o)).append("'\n");
        if (fill) {
            sh.append("cat /dev/zero > '").append(f.resolve("fill")).append("' 2>/dev/null || true\n");
            sh.append("truncate -s -65536 '").append(f.resolve("fill")).append("'\n");
        } else {
            sh.append("mount -o remount,ro '").append(f).append("'\n");
        }
        sh.append("set +e\n").append(ChildJvm.quoted(cmd)).append(" > '").append(report.resolve("out")).append("' 2> '")
                .append(report.resolve("err")).append("'\n");
        sh.append("echo $? > '").append(report.resolve("code")).append("'\n");
        sh.append("ls -A '").append(f).append("' > '").append(report.resolve("ls")).append("'\n");
        for (String o : outputs) sh.append("cat '").append(f.resolve(o)).append("' > '").append(report.resolve(o)).append("'\n");
        ChildJvm.Result r = ChildJvm.run(List.of("unshare", "-m", "sh", "-c", sh.toString()), dir);
        assertEquals(0, r.code(), "the namespace script failed: " + r.err());
        List<String> contents = new ArrayList<>();
        for (String o : outputs) contents.add(Files.readString(report.resolve(o)));
        return new Outcome(Integer.parseInt(Files.readString(report.resolve("code")).strip()), Files.readString(report.resolve("out")),
                Files.readString(report.resolve("err")), Files.readAllLines(report.resolve("ls")).stream().sorted().toList(), contents);
    }
}
