package io.ispasp.cli;

import static io.ispasp.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ispasp flops}: the paper's counts from the command line, checkpoints, and one error line for bad input. */
class FlopsCommandTest {
    @TempDir
    Path dir;

    static JsonNode flops(String... args) throws IOException {
        String[] all = new String[args.length + 1];
        all[0] = "flops";
        System.arraycopy(args, 0, all, 1, args.length);
        CliTest.Run r = cli(all);
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void resnet34MatchesThePaper() throws IOException {
        JsonNode j = flops("--arch", "resnet34");
        assertEquals("resnet34 form=imagenet width=1 classes=1000", j.get("arch").asText());
        assertEquals(224, j.get("input").asInt());
        // fvcore's count for torchvision resnet34 is 3 671 262 720 with the final average pool (512 x 7 x 7 = 25 088);
        // Complexity leaves the pool out (see its javadoc), as the paper's MobileNetV2 numbers require
        long fvcore = 3_671_262_720L, pool = 512 * 7 * 7;
        assertEquals(fvcore - pool, j.get("flops").asLong());
        assertEquals("3.67", String.format("%.2f", j.get("flops").asLong() / 1e9));
        assertEquals(21_797_672L, j.get("params").asLong());
        assertEquals(fvcore - pool, j.get("dense_flops").asLong());
        assertEquals(21_797_672L, j.get("dense_params").asLong());
        assertEquals(1.0, j.get("flops_ratio").asDouble());

        JsonNode ref = flops("--arch", "resnet34", "--layout", "reference");
        assertEquals("2.695", String.format("%.3f", ref.get("flops").asLong() / 1e9));
        assertEquals(fvcore - pool, ref.get("dense_flops").asLong());
        assertEquals(ref.get("flops").asLong() / (double) (fvcore - pool), ref.get("flops_ratio").asDouble(), 1e-15);
        assertTrue(ref.get("params").asLong() < ref.get("dense_params").asLong());
    }

    @Test
    void mobilenetV2MatchesThePaper() throws IOException {
        assertEquals("314.1", String.format("%.1f", flops("--arch", "mobilenetv2").get("flops").asLong() / 1e6));
        JsonNode ref = flops("--arch", "mobilenetv2", "--layout", "reference", "--input", "224");
        assertEquals("258.6", String.format("%.1f", ref.get("flops").asLong() / 1e6));
        assertEquals("314.1", String.format("%.1f", ref.get("dense_flops").asLong() / 1e6));
    }

    static Complexity count(String arch, int size, String layout, Double ratio) {
        Architecture a = Architectures.parse(arch);
        int[] w = layout == null && ratio == null ? a.blueprint().widths() : Layout.parse(layout, a, ratio).widths(a.blueprint().widths());
        return Complexity.of(a, size, w);
    }

    @Test
    void optionsShapeTheNet() throws IOException {
        JsonNode c = flops("--arch", "resnet18", "--cifar");
        assertEquals(32, c.get("input").asInt(), "the CIFAR form defaults to 32x32");
        assertEquals(count("resnet18 form=cifar classes=10", 32, null, null).flops(), c.get("flops").asLong());
        assertEquals(count("resnet18 form=cifar classes=10", 32, null, null).params(), c.get("params").asLong(), "and to 10 classes");

        String half = "mobilenet_v2 width=0.5 classes=100";
        JsonNode p = flops("--arch", "mobilenetv2", "--width", "0.5", "--classes", "100", "--ratio", "0.25", "--input", "160");
        assertEquals(count(half, 160, null, 0.25).flops(), p.get("flops").asLong());
        assertEquals(count(half, 160, null, 0.25).params(), p.get("params").asLong());
        assertEquals(count(half, 160, null, null).flops(), p.get("dense_flops").asLong());

        Architecture r34 = Architectures.parse("resnet34");
        JsonNode b = flops("--arch", "resnet34", "--layout", "units:layer3.2=0.5,layer1.1=0.25");
        int[] w = r34.blueprint().widths();
        w[unit(r34, "layer3.2")] = 128;
        w[unit(r34, "layer1.1")] = 16;
        assertEquals(Complexity.of(r34, 224, w).flops(), b.get("flops").asLong());
        assertEquals(b.get("flops").asLong(), flops("--arch", "resnet34", "--layout", "blocks:layer3.2=0.5,layer1.1=0.25").get("flops").asLong(),
                "blocks: is the old name of units:");

        JsonNode v = flops("--arch", "vgg16_bn", "--ratio", "0.5");
        assertEquals(count("vgg16_bn", 224, null, 0.5).flops(), v.get("flops").asLong());
        JsonNode r50 = flops("--arch", "resnet50", "--layout", "reference");
        assertTrue(r50.get("flops_ratio").asDouble() < 1.0);
    }

    private static int unit(Architecture a, String name) {
        for (int u = 0; u < a.blueprint().units().size(); u++) if (a.blueprint().units().get(u).name().equals(name)) return u;
        throw new AssertionError(name);
    }

    @Test
    void modelFileIsCountedFromItsShapes() throws IOException {
        TorchRuntime.init();
        Architecture arch = Architectures.parse("resnet18 form=cifar width=0.125 classes=10");
        Path file = dir.resolve("tiny.ckpt");
        try (Network dense = Network.random(arch, 1); Network pruned = Surgery.keep(dense, 2, new int[] {1, 4, 5})) {
            ModelFile.save(pruned, file);
            for (int size : new int[] {32, 64}) {
                JsonNode j = size == 32 ? flops("--model", file.toString()) : flops("--model", file.toString(), "--input", "64");
                assertEquals(size, j.get("input").asInt());
                assertEquals(arch.describe(), j.get("arch").asText());
                assertEquals(pruned.complexity(size).flops(), j.get("flops").asLong());
                assertEquals(pruned.complexity(size).params(), j.get("params").asLong());
                assertEquals(dense.complexity(size).flops(), j.get("dense_flops").asLong());
                assertEquals(dense.complexity(size).params(), j.get("dense_params").asLong());
                assertTrue(j.get("flops_ratio").asDouble() < 1.0);
            }
        }
        Path mlp = dir.resolve("mlp.ckpt");
        try (Network m = Network.random(Mlp.relu(6, 4, 3), 1)) {
            ModelFile.save(m, mlp);
            JsonNode j = flops("--model", mlp.toString());
            assertEquals(m.params(), j.get("params").asLong());
            assertEquals(6 * 4 + 4 * 3, j.get("flops").asLong());
        }
    }

    @Test
    void badInputGivesOneErrorLine() throws IOException {
        TorchRuntime.init();
        Path corrupt = dir.resolve("corrupt.ckpt");
        try (Network net = Network.random(Architectures.parse("resnet18 form=cifar width=0.125 classes=10"), 1)) {
            ModelFile.save(net, corrupt);
        }
        byte[] b = Files.readAllBytes(corrupt);
        b[b.length / 2] ^= 1;
        Files.write(corrupt, b);
        String missing = dir.resolve("missing.ckpt").toString();
        Object[][] cases = {
            {2, "unknown architecture 'resnet51'", new String[] {"--arch", "resnet51"}},
            {2, "no unit 'layer9.0'", new String[] {"--arch", "resnet34", "--layout", "blocks:layer9.0=0.5"}},
            {2, "names unit layer1.1 twice", new String[] {"--arch", "resnet34", "--layout", "units:layer1.1=0.4,layer1.1=0.5"}},
            {2, "the authors give no layout for vgg16", new String[] {"--arch", "vgg16", "--layout", "reference"}},
            {2, "unknown layout", new String[] {"--arch", "resnet34", "--layout", "sideways"}},
            {2, "per-stage layouts are for networks with stages", new String[] {"--arch", "mobilenetv2", "--layout", "stages:0.5,0.5,0.5,1"}},
            {2, "--ratio must be in (0, 1]", new String[] {"--arch", "resnet34", "--ratio", "0"}},
            {2, "--ratio must be in (0, 1]", new String[] {"--arch", "resnet34", "--ratio", "1.5"}},
            {2, "--ratio must be in (0, 1]", new String[] {"--arch", "resnet34", "--ratio", "NaN"}},
            {2, "ratio must be in (0, 1]", new String[] {"--arch", "resnet34", "--layout", "stages:0.4,0,0.4,1"}},
            {2, "--ratio goes with --layout every", new String[] {"--arch", "resnet34", "--layout", "reference", "--ratio", "0.5"}},
            {2, "give --ratio", new String[] {"--arch", "resnet34", "--layout", "every"}},
            {2, "--input must be in", new String[] {"--arch", "resnet34", "--input", "0"}},
            {2, "classes must be >= 1", new String[] {"--arch", "resnet34", "--classes", "0"}},
            {2, "width multiplier", new String[] {"--arch", "resnet34", "--width", "-1"}},
            {2, "'abc'", new String[] {"--arch", "resnet34", "--input", "abc"}},
            {2, "give --arch", new String[] {}},
            {2, "drop --arch", new String[] {"--model", corrupt.toString(), "--arch", "resnet34"}},
            {2, "drop --layout, --ratio", new String[] {"--model", corrupt.toString(), "--layout", "every", "--ratio", "0.5"}},
            {1, "model file not found", new String[] {"--model", missing}},
            {1, "corrupt checkpoint (checksum mismatch)", new String[] {"--model", corrupt.toString()}},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[2];
            String[] all = new String[args.length + 1];
            all[0] = "flops";
            System.arraycopy(args, 0, all, 1, args.length);
            CliTest.Run r = cli(all);
            String what = String.join(" ", args);
            assertEquals((int) c[0], r.code(), what + ": " + r.err());
            assertEquals(1, r.errorLines().length, what + ": " + r.err());
            assertTrue(r.errorLines()[0].contains((String) c[1]), what + ": " + r.err());
            assertEquals("", r.out(), what);
        }
    }
}
