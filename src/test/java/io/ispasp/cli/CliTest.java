package io.ispasp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.nn.Network;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: results on stdout, one error line and an exit code on bad input. */
public class CliTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path dense;

    /** What one CLI run printed and returned. */
    public record Run(int code, String out, String err) {
        public String[] errorLines() {
            return err.lines().filter(l -> l.startsWith("error:")).toArray(String[]::new);
        }
    }

    /** Runs the CLI in this JVM and captures what it printed. */
    public static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void setUp() throws IOException {
        TorchRuntime.init();
        data = Files.createDirectories(dir.resolve("mnist"));
        writeSplit(data, true, 300, 1);
        writeSplit(data, false, 100, 2);
        dense = dir.resolve("dense.ckpt");
        Run r = cli("train", "--data", data.toString(), "--hidden", "16", "--epochs", "1", "--out", dense.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(new ObjectMapper().readTree(r.out()).has("accuracy"));
    }

    /** A tiny MNIST-format split of random 28x28 images. */
    static void writeSplit(Path d, boolean train, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) r.nextInt(256);
        for (int i = 0; i < n; i++) labels[i] = (byte) r.nextInt(10);
        String p = train ? "train" : "t10k";
        Files.write(d.resolve(p + "-images-idx3-ubyte"), idx(0x803, new int[] {n, 28, 28}, pixels));
        Files.write(d.resolve(p + "-labels-idx1-ubyte"), idx(0x801, new int[] {n}, labels));
    }

    static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.putInt(magic);
        for (int x : dims) b.putInt(x);
        return b.put(payload).array();
    }

    @Test
    void pruneWritesSmallerModelAndFullReport() throws IOException {
        Path out = dir.resolve("pruned.ckpt"), report = dir.resolve("report.json");
        Run r = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--method", "ispasp", "--ratio", "0.5",
                "--calib", "200", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        for (String k : new String[] {"method", "ratio", "device", "units", "params", "flops", "accuracy", "seconds"}) assertTrue(j.has(k), k);
        JsonNode u = j.get("units").get(0);
        for (String k : new String[] {"name", "hidden", "groups", "kept", "indices", "path", "residual", "residual_kept",
                "residual_after", "target_squared_norm", "relative_residual_kept", "relative_residual_after"}) assertTrue(u.has(k), k);
        assertEquals("best", j.get("variant").asText());
        assertTrue(j.get("refit").asBoolean() && j.get("bias_compensation").asBoolean() && j.get("best_iterate").asBoolean());
        assertEquals("lsq", j.get("threshold").asText());
        double rel = u.get("relative_residual_after").asDouble();
        assertEquals(u.get("residual_after").asDouble() / u.get("target_squared_norm").asDouble(), rel, 1e-12);
        assertTrue(rel >= 0 && rel <= u.get("relative_residual_kept").asDouble() + 1e-12, "refit lowers the residual: " + u);
        JsonNode fid = j.get("fidelity");
        assertEquals(j.get("accuracy").get("after").asDouble() > 0, fid.get("agreement").asDouble() > 0);
        assertTrue(fid.get("agreement").asDouble() <= 1 && fid.get("kl_divergence").asDouble() >= 0, fid.toString());
        assertEquals(16, u.get("groups").asInt());
        assertEquals(8, u.get("kept").asInt());
        assertEquals(8, u.get("indices").size());
        assertTrue(u.get("residual").size() >= 1);
        for (String k : new String[] {"before", "after"}) {
            assertTrue(j.get("params").has(k) && j.get("flops").has(k) && j.get("accuracy").has(k), k);
        }
        // the time split: disjoint parts of the pruning loop, each also per unit
        JsonNode sec = j.get("seconds");
        double parts = 0;
        for (String k : new String[] {"inputs", "data", "iterations", "refit", "surgery"}) {
            assertTrue(sec.get(k).asDouble() >= 0, k);
            parts += sec.get(k).asDouble();
            assertTrue(u.has(k.equals("inputs") ? "input_seconds" : k.equals("iterations") ? "iteration_seconds" : k + "_seconds"), k);
        }
        assertTrue(parts > 0 && parts <= sec.get("total").asDouble() + 1e-6, sec.toString());
        JsonNode mem = j.get("memory");
        assertTrue(mem.get("bound").asLong() > 0, mem.toString());
        assertTrue(mem.get("carried_peak").asLong() > 0 && mem.get("carried_peak").asLong() <= mem.get("bound").asLong(), mem.toString());
        assertEquals(0, mem.get("spilled_peak").asLong(), mem.toString());
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(mem.get("peak_rss").asLong() > mem.get("carried_peak").asLong(), mem.toString());
        }
        assertEquals("ispasp", j.get("method").asText());
        Network pruned = ModelFile.load(out);
        assertArrayEquals(new int[] {784, 16, 10}, ((io.ispasp.nn.arch.Mlp) pruned.architecture()).sizes());
        assertArrayEquals(new int[] {8}, pruned.widths());
        assertEquals(pruned.unit(0).hidden(), u.get("hidden").asText());
        assertEquals(pruned.params(), j.get("params").get("after").asLong());
        assertTrue(new ObjectMapper().readTree(r.out()).has("accuracy"), "stdout carries a JSON summary");

        Run e = cli("eval", "--model", out.toString(), "--data", data.toString());
        assertEquals(0, e.code(), e.err());
        JsonNode ev = new ObjectMapper().readTree(e.out());
        assertEquals(pruned.params(), ev.get("params").asLong());
        assertEquals(j.get("accuracy").get("after").asDouble(), ev.get("accuracy").asDouble(), 1e-12);
    }

    /** --variant paper runs the authors' settings and says so; overriding one of them makes the run "custom". */
    @Test
    void theVariantIsReportedAndSingleOptionsOverrideIt() throws IOException {
        String[][] cases = {{"paper"}, {"paper", "--refit"}, {"best", "--no-best-iterate"}};
        String[] expected = {"paper", "custom", "custom"};
        for (int i = 0; i < cases.length; i++) {
            Path out = dir.resolve("variant" + i + ".ckpt"), report = dir.resolve("variant" + i + ".json");
            String[] args = concat(new String[] {"prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.25",
                    "--calib", "200", "--out", out.toString(), "--report", report.toString(), "--variant"}, cases[i]);
            Run r = cli(args);
            assertEquals(0, r.code(), r.err());
            JsonNode j = new ObjectMapper().readTree(report.toFile());
            assertEquals(expected[i], j.get("variant").asText(), Arrays.toString(cases[i]));
            if (i == 0) {
                assertEquals("signed-sum", j.get("score").asText());
                assertEquals("mass", j.get("threshold").asText());
                assertTrue(j.get("units").get(0).get("residual_after").isNull(), "paper: B's kept columns stay as they are");
            }
            if (i == 1) assertTrue(j.get("refit").asBoolean());
        }
        Run bad = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.25", "--variant", "custom",
                "--out", dir.resolve("v.ckpt").toString(), "--report", dir.resolve("v.json").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("error: unknown variant 'custom'"), bad.err());
    }

    /**
     * Every device choice prunes to the same result. Without a usable GPU, auto says why and runs on the CPU, and
     * an explicit cuda is an error with the reason, before any output is touched.
     */
    @Test
    void everyDeviceGivesTheSameSupport() throws IOException {
        JsonNode first = null;
        boolean gpu = io.ispasp.kernels.CudaGate.available();
        for (String device : new String[] {"cpu", "auto", "cuda"}) {
            Path out = dir.resolve("dev-" + device + ".ckpt"), report = dir.resolve("dev-" + device + ".json");
            Run r = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.5", "--calib", "200",
                    "--path", "statistics", "--device", device, "--out", out.toString(), "--report", report.toString());
            if (!gpu && device.equals("cuda")) {
                assertEquals(1, r.code(), r.err());
                assertTrue(r.err().startsWith("error: device cuda was requested, but no GPU is usable: " + io.ispasp.kernels.CudaGate.status()), r.err());
                assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
                assertFalse(Files.exists(out) || Files.exists(report));
                continue;
            }
            assertEquals(0, r.code(), device + ": " + r.err());
            JsonNode j = new ObjectMapper().readTree(report.toFile());
            if (!gpu && device.equals("auto")) {
                assertTrue(j.get("device").asText().startsWith("cpu kernels"), j.get("device").asText());
                assertTrue(j.get("device").asText().contains(io.ispasp.kernels.CudaGate.status()), j.get("device").asText());
            }
            if (first == null) first = j;
            else assertEquals(first.get("units").get(0).get("indices"), j.get("units").get(0).get("indices"), device);
        }
    }

    @Test
    void everyMethodRuns() {
        for (String m : new String[] {"gfs", "magnitude", "activation", "random"}) {
            Path out = dir.resolve(m + ".ckpt"), report = dir.resolve(m + ".json");
            Run r = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--method", m, "--ratio", "0.25",
                    "--calib", "200", "--out", out.toString(), "--report", report.toString());
            assertEquals(0, r.code(), m + ": " + r.err());
            assertTrue(Files.isRegularFile(out) && Files.isRegularFile(report), m);
        }
    }

    @Test
    void badValuesGiveOneErrorLineAndNoOutput() throws IOException {
        Path bogus = Files.writeString(dir.resolve("bogus.ckpt"), "not a model");
        String[][] cases = {
            {"2", "--ratio", "0"}, {"2", "--ratio", "1.5"}, {"2", "--ratio", "NaN"}, {"2", "--ratio", "abc"},
            {"2", "--ratio", "0.5", "--method", "nope"}, {"2", "--ratio", "0.5", "--score", "nope"},
            {"2", "--ratio", "0.5", "--path", "nope"}, {"2", "--ratio", "0.5", "--dataset", "cifar"},
            {"2", "--ratio", "0.5", "--device", "tpu"}, {"2", "--ratio", "0.5", "--memory", "lots"},
            {"2", "--ratio", "0.5", "--memory", "-1"}, {"2", "--ratio", "0.5", "--memory", "9999999999G"},
            {"2", "--ratio", "0.5", "--spill", dir.resolve("no-such-folder").toString()},
            {"1", "--ratio", "0.5", "--model", bogus.toString()},
            {"1", "--ratio", "0.5", "--model", dir.resolve("missing.ckpt").toString()},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("bad.ckpt"), report = dir.resolve("bad.json");
            boolean ownModel = Arrays.asList(c).contains("--model");
            String[] args = concat(new String[] {"prune", "--data", data.toString(), "--out", out.toString(),
                    "--report", report.toString()}, Arrays.copyOfRange(c, 1, c.length));
            if (!ownModel) args = concat(args, new String[] {"--model", dense.toString()});
            Run r = cli(args);
            String what = String.join(" ", c);
            assertEquals(Integer.parseInt(c[0]), r.code(), what + ": " + r.err());
            assertEquals(1, r.errorLines().length, what + ": " + r.err());
            assertEquals("", r.out(), what);
            assertFalse(Files.exists(out) || Files.exists(report), what + " left an output file");
        }
    }

    /**
     * Outputs that cannot work are refused before any work, with one error line, and nothing there changes: the same
     * path twice (even spelled differently), a report path that is a folder, an output name the engine cannot write.
     */
    @Test
    void impossibleOutputsAreRefusedAndDamageNothing() throws IOException {
        Path o = Files.createDirectories(dir.resolve("outputs"));
        Path model = Files.writeString(o.resolve("same.ckpt"), "old model"), report = Files.writeString(o.resolve("r.json"), "old report");
        String[][] cases = {
            {"--out", model.toString(), "--report", model.toString()},
            {"--out", model.toString(), "--report", o.resolve("sub/../same.ckpt").toString()},
            {"--out", model.toString(), "--report", o.toString()},
            {"--out", o.resolve("p.onnx").toString(), "--report", report.toString()},
            {"--out", o.resolve("p").toString(), "--report", report.toString()},
        };
        for (String[] c : cases) {
            Run r = cli(concat(new String[] {"prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.5"}, c));
            String what = String.join(" ", c);
            assertEquals(2, r.code(), what + ": " + r.err());
            assertEquals(1, r.errorLines().length, what + ": " + r.err());
            assertFalse(r.err().contains("pruned "), what + ": work began before the check");
            assertEquals("old model", Files.readString(model), what);
            assertEquals("old report", Files.readString(report), what);
            try (var files = Files.list(o)) {
                assertEquals(List.of("r.json", "same.ckpt"), files.map(f -> f.getFileName().toString()).sorted().toList(), what);
            }
        }
    }

    @Test
    void missingOutputDirectoriesFailBeforeWork() {
        Path ok = dir.resolve("ok.json");
        Run r1 = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.5",
                "--out", dir.resolve("nodir/p.ckpt").toString(), "--report", ok.toString());
        Run r2 = cli("prune", "--model", dense.toString(), "--data", data.toString(), "--ratio", "0.5",
                "--out", dir.resolve("p2.ckpt").toString(), "--report", dir.resolve("nodir/r.json").toString());
        for (Run r : new Run[] {r1, r2}) {
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.errorLines().length, r.err());
            assertTrue(r.errorLines()[0].contains("nodir"), r.err());
        }
        assertFalse(Files.exists(ok) || Files.exists(dir.resolve("p2.ckpt")));
    }

    @Test
    void brokenDataFilesAreNamed() throws IOException {
        Path missing = Files.createDirectories(dir.resolve("missing"));
        Path corrupt = copyData("corrupt");
        byte[] img = Files.readAllBytes(corrupt.resolve("train-images-idx3-ubyte"));
        img[3] = 0x42; // bad magic
        Files.write(corrupt.resolve("train-images-idx3-ubyte"), img);
        Path truncated = copyData("truncated");
        byte[] lab = Files.readAllBytes(truncated.resolve("t10k-labels-idx1-ubyte"));
        Files.write(truncated.resolve("t10k-labels-idx1-ubyte"), Arrays.copyOf(lab, lab.length - 7));
        for (Path d : new Path[] {missing, corrupt, truncated}) {
            Path out = dir.resolve("d.ckpt");
            Run r = cli("prune", "--model", dense.toString(), "--data", d.toString(), "--ratio", "0.5",
                    "--out", out.toString(), "--report", dir.resolve("d.json").toString());
            assertEquals(1, r.code(), d + ": " + r.err());
            assertEquals(1, r.errorLines().length, r.err());
            assertTrue(r.errorLines()[0].contains(d.toString()), "the error names the file: " + r.err());
            assertFalse(Files.exists(out));
        }
        Run e = cli("eval", "--model", dense.toString(), "--data", dir.resolve("nowhere").toString());
        assertEquals(1, e.code(), e.err());
        assertEquals(1, e.errorLines().length, e.err());
    }

    @Test
    void demoQuickRunsEndToEnd() throws IOException {
        Path mnist = Path.of("datasets/mnist");
        Assumptions.assumeTrue(Files.isRegularFile(mnist.resolve("train-images-idx3-ubyte")), "MNIST not fetched into datasets/mnist");
        Path out = dir.resolve("demo");
        Run r = cli("demo", "--quick", "--data", mnist.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode reports = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(6, reports.size());
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| gfs |"), md);
        assertTrue(r.out().contains("| random |"), r.out());
    }

    private static Path copyData(String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(data)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, d.resolve(f.getFileName()));
        }
        return d;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
