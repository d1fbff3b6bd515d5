package io.ispasp.bench.latency;

import static io.ispasp.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.cli.CliTest;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ispasp bench latency} end to end on tiny models, and one error line for each kind of bad input. */
class LatencyCommandTest {
    /** Short timing: these tests check the plumbing, not the speed. */
    static final String[] QUICK = {"--seconds", "0.2", "--warmup-seconds", "0.05", "--min-runs", "3"};

    @TempDir
    static Path dir;
    static Path dense;
    static Path pruned;
    /** Parameters and FLOPs at 32x32 of the dense and the pruned net. */
    static Complexity denseSize;
    static Complexity prunedSize;

    @BeforeAll
    static void setUp() throws IOException {
        TorchRuntime.init();
        Architecture arch = Architectures.image("resnet18", true, 0.125, 10);
        Layout half = Layout.every(arch, 0.5);
        dense = dir.resolve("dense.ckpt");
        pruned = dir.resolve("pruned.ckpt");
        try (Network net = Network.random(arch, 1); Network small = MagnitudePruning.prune(net, half)) {
            NetworkCheckpoint.save(net, dense);
            NetworkCheckpoint.save(small, pruned);
            assertEquals(arch, small.architecture());
            assertArrayEquals(half.widths(net), small.widths());
            denseSize = net.complexity(32);
            prunedSize = small.complexity(32);
        }
        assertTrue(prunedSize.flops() < denseSize.flops());
    }

    static CliTest.Run latency(String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "latency"));
        all.addAll(Arrays.asList(args));
        return cli(all.toArray(new String[0]));
    }

    static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void denseVsPrunedWritesTableJsonAndChart() throws IOException {
        Path out = dir.resolve("out");
        int threadsBefore = TorchRuntime.threads();
        CliTest.Run r = latency(with(QUICK, "--model", dense.toString(), "--model", "small=" + pruned, "--batch", "1,2",
                "--threads", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(threadsBefore, TorchRuntime.threads(), "the thread setting is restored");
        assertTrue(r.out().contains("| dense ") && r.out().contains("| small "), r.out());
        assertTrue(r.out().contains("speed-up vs dense"), r.out());

        JsonNode j = new ObjectMapper().readTree(out.resolve("latency.json").toFile());
        for (String key : List.of("machine", "threads", "settings", "models", "results")) assertTrue(j.has(key), key);
        assertEquals(1, j.get("threads").asInt());
        assertTrue(j.get("machine").get("cores").asInt() > 0);
        assertEquals("[1,2]", j.get("settings").get("batches").toString());
        JsonNode models = j.get("models");
        assertEquals(2, models.size());
        assertEquals("dense", models.get(0).get("label").asText());
        assertEquals("small", models.get(1).get("label").asText());
        assertEquals("[3,32,32]", models.get(0).get("sample_shape").toString());
        assertEquals(denseSize.flops(), models.get(0).get("flops_per_sample").asLong());
        assertEquals(prunedSize.flops(), models.get(1).get("flops_per_sample").asLong());
        assertEquals(prunedSize.params(), models.get(1).get("params").asLong());

        JsonNode results = j.get("results");
        assertEquals(4, results.size(), "2 models x 2 batch sizes");
        for (JsonNode row : results) {
            for (String key : List.of("model", "batch", "runs", "median_ms", "p90_ms", "p99_ms", "min_ms", "mean_ms", "throughput_per_s",
                    "speedup_vs_first", "flops_vs_first", "other_cpu", "run_ms")) {
                assertTrue(row.has(key), key);
            }
            if (!row.get("other_cpu").isNull()) {
                double other = row.get("other_cpu").asDouble();
                assertTrue(other >= 0 && other <= 1, "other_cpu is a share: " + other);
            }
            int runs = row.get("runs").asInt();
            assertTrue(runs >= 3, "at least --min-runs");
            assertEquals(runs, row.get("run_ms").size());
            double median = row.get("median_ms").asDouble();
            assertTrue(row.get("min_ms").asDouble() <= median && median <= row.get("p90_ms").asDouble()
                    && row.get("p90_ms").asDouble() <= row.get("p99_ms").asDouble(), row.toString());
            assertEquals(row.get("batch").asInt() * 1000 / median, row.get("throughput_per_s").asDouble(), 1e-9);
            boolean first = row.get("model").asText().equals("dense");
            assertEquals(first, row.get("speedup_vs_first").isNull());
            if (!first) {
                JsonNode reference = results.get(row.get("batch").asInt() == 1 ? 0 : 2);
                assertEquals(reference.get("median_ms").asDouble() / median, row.get("speedup_vs_first").asDouble(), 1e-9);
                assertEquals((double) prunedSize.flops() / denseSize.flops(),
                        row.get("flops_vs_first").asDouble(), 1e-12);
            }
        }
        // rounds of one run per model: both models of a batch size ran equally often
        assertEquals(results.get(0).get("runs").asInt(), results.get(1).get("runs").asInt());

        BufferedImage png = ImageIO.read(out.resolve("latency.png").toFile());
        assertEquals(1000, png.getWidth());
        assertEquals(600, png.getHeight());
        try (var files = Files.list(out)) {
            assertEquals(List.of("latency.json", "latency.png"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files are left");
        }
    }

    @Test
    void torchScriptOfAKnownArchitectureGetsItsInputAndFlopsFromTheImporter() throws IOException {
        Path script = dir.resolve("resnet-cifar.pt");
        long flops;
        try (Network net = Network.random(Architectures.image("resnet18", true, 0.125, 10), 1)) {
            ModelFile.save(net, script);
            flops = net.complexity(32).flops();
        }
        Path out = dir.resolve("out-ts-known");
        CliTest.Run r = latency(with(QUICK, "--model", script.toString(), "--batch", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode m = new ObjectMapper().readTree(out.resolve("latency.json").toFile()).get("models").get(0);
        assertEquals("[3,32,32]", m.get("sample_shape").toString(), "the CIFAR form's input, not the 224 default");
        assertEquals(flops, m.get("flops_per_sample").asLong());
    }

    @Test
    void mlpAndTorchScriptModels() throws IOException {
        Path mlp = dir.resolve("mlp.ckpt");
        try (Network net = Network.random(Mlp.relu(12, 16, 10), 3)) {
            NetworkCheckpoint.save(net, mlp);
        }
        Path script = dir.resolve("tiny.pt");
        try (PointerScope scope = new PointerScope()) {
            JitModule m = new JitModule(new QualifiedName("Tiny"));
            torch.manual_seed(0);
            m.register_parameter("w", torch.randn(12, 10), false);
            m.define("def forward(self, x):\n    return torch.relu(torch.flatten(x, 1).matmul(self.w))\n");
            m.save(script.toString());
        }
        Path out = dir.resolve("out-mixed");
        CliTest.Run r = latency(with(QUICK, "--model", mlp.toString(), "--model", "ts=" + script, "--shape", "12", "--batch", "3",
                "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode models = new ObjectMapper().readTree(out.resolve("latency.json").toFile()).get("models");
        assertEquals("mlp", models.get(0).get("label").asText());
        assertEquals(12 * 16 + 16 * 10, models.get(0).get("flops_per_sample").asLong());
        assertEquals(120, models.get(1).get("params").asLong(), "TorchScript parameters are counted");
        assertTrue(models.get(1).get("flops_per_sample").isNull(), "TorchScript FLOPs are unknown");
        assertArrayEquals(new long[] {12}, new long[] {models.get(1).get("sample_shape").get(0).asLong()});

        // the TorchScript input shape comes from --shape; a wrong one is one error line, not a C++ trace
        CliTest.Run bad = latency(with(QUICK, "--model", script.toString(), "--shape", "3,4,4", "--batch", "1", "--out",
                dir.resolve("out-bad-shape").toString()));
        assertError(bad, 1, "tiny failed on an input of shape [1, 3, 4, 4]");
        assertFalse(Files.exists(dir.resolve("out-bad-shape")));
    }

    @Test
    void badInputIsOneErrorLineAndWritesNothing() throws IOException {
        Path corrupt = dir.resolve("corrupt.ckpt");
        byte[] bytes = Files.readAllBytes(dense);
        Files.write(corrupt, Arrays.copyOf(bytes, bytes.length / 2));
        Path junk = dir.resolve("junk.bin");
        Files.writeString(junk, "not a model at all");
        Path brokenZip = dir.resolve("broken.pt");
        Files.write(brokenZip, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 1, 2, 3});
        Path aFile = dir.resolve("a-file");
        Files.writeString(aFile, "x");
        String d = dense.toString();

        Path out = dir.resolve("never");
        String o = out.toString();
        assertError(latency(with(QUICK, "--model", dir.resolve("missing.ckpt").toString(), "--out", o)), 1, "missing.ckpt");
        assertError(latency(with(QUICK, "--model", d, "--model", corrupt.toString(), "--out", o)), 1, "corrupt.ckpt: truncated");
        assertError(latency(with(QUICK, "--model", junk.toString(), "--out", o)), 1, "junk.bin is not a model");
        assertError(latency(with(QUICK, "--model", brokenZip.toString(), "--out", o)), 1, "broken.pt: cannot load as TorchScript");
        assertError(latency(with(QUICK, "--model", d, "--batch", "1,0", "--out", o)), 2, "--batch: 0");
        assertError(latency(with(QUICK, "--model", d, "--batch", "-8", "--out", o)), 2, "--batch: -8");
        assertError(latency(with(QUICK, "--model", d, "--batch", "1,x", "--out", o)), 2, "--batch: 'x' is not a whole number");
        assertError(latency(with(QUICK, "--model", d, "--batch", "1,,8", "--out", o)), 2, "--batch: '' is not a whole number");
        assertError(latency(with(QUICK, "--model", d, "--batch", "2,2", "--out", o)), 2, "--batch: 2 appears twice");
        assertError(latency(with(QUICK, "--model", d, "--threads", "0", "--out", o)), 2, "--threads must be >= 1");
        assertError(latency(with(QUICK, "--model", d, "--threads", "two", "--out", o)), 2, "--threads");
        assertError(latency("--model", d, "--min-runs", "0", "--out", o), 2, "--min-runs must be >= 1");
        assertError(latency("--model", d, "--seconds", "-1", "--out", o), 2, "--seconds must be >= 0");
        assertError(latency(with(QUICK, "--model", d, "--shape", "3,a", "--out", o)), 2, "--shape: 'a'");
        assertError(latency(with(QUICK, "--model", d, "--shape", "3,16,8", "--out", o)), 2, "does not fit");
        assertError(latency(with(QUICK, "--model", d, "--model", d, "--out", o)), 2, "label 'dense' appears twice");
        assertError(latency(with(QUICK, "--model", d, "--out", aFile.toString())), 2, "is not a directory");
        assertError(latency(with(QUICK, "--out", o)), 2, "--model");
        assertFalse(Files.exists(out), "nothing is written on error");
    }

    @Test
    void randomNetWritesDenseOrMagnitudePrunedCheckpoints() throws IOException {
        Path out = dir.resolve("random-pruned.ckpt");
        CliTest.Run r = cli("bench", "random-net", "--arch", "mobilenetv2", "--cifar", "--width", "0.25", "--layout", "reference",
                "--seed", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Architecture arch = Architectures.image("mobilenet_v2", true, 0.25, 10);
        int[] expected;
        try (Network d = Network.random(arch, 0)) {
            expected = Layout.reference(arch).widths(d);
        }
        long flops;
        try (Network net = ModelFile.load(out)) {
            assertEquals(arch, net.architecture());
            assertArrayEquals(expected, net.widths());
            flops = net.complexity(32).flops();
        }
        JsonNode info = new ObjectMapper().readTree(r.out());
        assertEquals(flops, info.get("flops").asLong());
        assertEquals(arch.describe(), info.get("arch").asText());
        assertError(cli("bench", "random-net", "--arch", "vgg", "--out", out.toString()), 2, "unknown architecture 'vgg'");
        assertError(cli("bench", "random-net", "--arch", "resnet18", "--out", dir.resolve("no/such/dir/x.ckpt").toString()), 2,
                "dir does not exist");
    }

    @Test
    void randomNetTakesAnyArchitectureAndRatio() throws IOException {
        Path mlp = dir.resolve("random-mlp.ckpt");
        CliTest.Run r = cli("bench", "random-net", "--arch", "mlp", "--sizes", "12,16,8,10", "--ratio", "0.5", "--out", mlp.toString());
        assertEquals(0, r.code(), r.err());
        try (Network net = ModelFile.load(mlp)) {
            assertEquals(Mlp.relu(12, 16, 8, 10), net.architecture());
            assertArrayEquals(new int[] {8, 4}, net.widths());
            JsonNode info = new ObjectMapper().readTree(r.out());
            assertEquals(net.complexity(0).flops(), info.get("flops").asLong());
            assertEquals(12 * 16 + 16 * 8 + 8 * 10, info.get("dense_flops").asLong());
            assertEquals(0, info.get("input").asInt());
        }
        Path vgg = dir.resolve("random-vgg.pt");
        r = cli("bench", "random-net", "--arch", "vgg11_bn", "--cifar", "--width", "0.125", "--ratio", "0.5", "--out", vgg.toString());
        assertEquals(0, r.code(), r.err());
        Architecture arch = Architectures.image("vgg11_bn", true, 0.125, 10);
        try (Network net = ModelFile.load(vgg)) {
            assertEquals(arch, net.architecture());
            assertArrayEquals(Layout.every(arch, 0.5).widths(Network.random(arch, 0).widths()), net.widths());
        }
        // both time through bench latency: the MLP's input and the TorchScript's architecture are recognised
        Path out = dir.resolve("out-random");
        r = latency(with(QUICK, "--model", mlp.toString(), "--model", vgg.toString(), "--batch", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode models = new ObjectMapper().readTree(out.resolve("latency.json").toFile()).get("models");
        assertEquals("[12]", models.get(0).get("sample_shape").toString());
        assertEquals("[3,32,32]", models.get(1).get("sample_shape").toString());
        assertFalse(models.get(1).get("flops_per_sample").isNull());

        assertError(cli("bench", "random-net", "--arch", "mlp", "--out", mlp.toString()), 2, "--arch mlp needs --sizes");
        assertError(cli("bench", "random-net", "--arch", "mlp", "--sizes", "4,3,2", "--layout", "reference", "--out", mlp.toString()), 2,
                "the authors give no layout for mlp");
        assertError(latency(with(QUICK, "--model", mlp.toString(), "--shape", "3,32,32", "--out", dir.resolve("never-mlp").toString())), 2,
                "does not fit");
    }

    static void assertError(CliTest.Run r, int code, String fragment) {
        assertEquals(code, r.code(), r.err());
        String[] lines = r.err().lines().filter(l -> !l.startsWith("[")).toArray(String[]::new); // [INFO] log lines aside
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(fragment), lines[0] + " should contain " + fragment);
    }
}
