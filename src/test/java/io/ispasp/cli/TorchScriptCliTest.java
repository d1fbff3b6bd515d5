package io.ispasp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.torchscript.PyTorch;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prune} and {@code export} on TorchScript files made by a real PyTorch; the output opened by PyTorch again. */
class TorchScriptCliTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    @BeforeAll
    static void setUp() throws IOException {
        PyTorch.require();
        TorchRuntime.init();
        data = Files.createDirectories(dir.resolve("cifar"));
        ConvCliTest.writeBatches(data, 60, 20);
        model = dir.resolve("resnet18.pt");
        PyTorch.make("resnet18", model, "--classes", "10");
    }

    @Test
    void prunesATorchvisionFileIntoATorchScriptFilePythonRuns() throws IOException {
        Path out = dir.resolve("pruned.pt"), report = dir.resolve("report.json");
        CliTest.Run r = CliTest.cli("prune", "--model", model.toString(), "--dataset", "cifar10", "--data", data.toString(),
                "--layout", "blocks:layer2.1=0.5,layer3.0=0.25", "--calib", "16", "--iters", "3",
                "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals("layer2.1", rep.get("units").get(0).get("name").asText(), "torchvision module path");
        assertEquals("layer3.0", rep.get("units").get(1).get("name").asText());
        assertEquals(64, rep.get("units").get(1).get("kept").asInt());

        long[] shape = {2, 3, 32, 32};
        float[] x = new float[2 * 3 * 32 * 32];
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        PyTorch.Output py = PyTorch.run(out, x, shape, dir);
        assertTrue(py.json().contains("\"layer3.0.conv1.weight\": [64, 128, 3, 3]"), py.json());
        try (Network m = ModelFile.load(out); PointerScope scope = new PointerScope()) {
            float[] engine = Tensors.floats(m.forward(Tensors.of(x, shape)));
            for (int i = 0; i < engine.length; i++) assertEquals(engine[i], py.values()[i], 1e-4, "output " + i);
        }
    }

    @Test
    void exportConvertsBothWays() throws IOException {
        Path ckpt = dir.resolve("r18.ckpt"), back = dir.resolve("back.pt");
        CliTest.Run a = CliTest.cli("export", "--model", model.toString(), "--out", ckpt.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals("checkpoint", new ObjectMapper().readTree(a.out()).get("format").asText());
        CliTest.Run b = CliTest.cli("export", "--model", ckpt.toString(), "--out", back.toString());
        assertEquals(0, b.code(), b.err());
        PyTorch.Output py = PyTorch.run(back, new float[3 * 32 * 32], new long[] {1, 3, 32, 32}, dir);
        assertTrue(py.json().contains("\"output_shape\": [1, 10]"), py.json());
    }

    @Test
    void unsupportedArchitectureIsAOneLineErrorListingTheSupportedOnes() throws IOException {
        Path squeezenet = dir.resolve("squeezenet1_0.pt");
        PyTorch.make("squeezenet1_0", squeezenet, "--classes", "10");
        CliTest.Run r = CliTest.cli("eval", "--model", squeezenet.toString(), "--dataset", "cifar10", "--data", data.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(squeezenet.toString()) && r.err().contains("resnet50") && r.err().contains("vgg16_bn")
                && r.err().contains("mobilenet_v2"), r.err());
    }

    /** A Bottleneck ResNet of 1000 classes pruned on CIFAR-10 images: no labels needed, no accuracy measured. */
    @Test
    void aThousandClassResnet50IsPrunedOnImagesOfOtherClasses() throws IOException {
        Path r50 = dir.resolve("resnet50.pt");
        PyTorch.make("resnet50", r50, "--classes", "1000", "--width", "0.125", "--form", "cifar");
        Path out = dir.resolve("r50-pruned.pt"), report = dir.resolve("r50.json");
        CliTest.Run r = CliTest.cli("prune", "--model", r50.toString(), "--dataset", "cifar10", "--data", data.toString(),
                "--layout", "units:layer2.0.conv1=0.5,layer3.1.conv2=0.25", "--calib", "16", "--iters", "3",
                "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals("layer2.0.conv1", rep.get("units").get(0).get("name").asText());
        assertEquals("layer2.0.bn1", rep.get("units").get(0).get("hidden").asText());
        assertEquals("direct", rep.get("units").get(0).get("path").asText(), "a strided 3x3 B has only the direct path");
        assertTrue(rep.get("accuracy").get("after").isNull(), "the labels are not the model's classes");
        PyTorch.Output py = PyTorch.run(out, new float[2 * 3 * 32 * 32], new long[] {2, 3, 32, 32}, dir);
        assertTrue(py.json().contains("\"output_shape\": [2, 1000]"), py.json());
    }
}
