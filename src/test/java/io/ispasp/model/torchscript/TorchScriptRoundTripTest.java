package io.ispasp.model.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ispasp.engine.Tensors;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Shapes;
import io.ispasp.model.conv.Surgery;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to TorchScript and import back, within libtorch (the Python side is in PyTorchInteropTest). */
class TorchScriptRoundTripTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void prunedResNetRoundTripsWithSameShapeAndOutputs() throws IOException {
        try (ConvNet dense = ConvFixtures.randomized(ConvFixtures.tinyResNet(), 3);
             ConvNet pruned = Surgery.keep(dense, 2, new int[] {0, 3, 5})) {
            assertRoundTrip(pruned);
        }
    }

    @Test
    void cifarMobileNetKeepsItsFormThroughTheSpecAttribute() throws IOException {
        try (ConvNet dense = ConvFixtures.randomized(ConvFixtures.tinyMobileNet(), 4);
             ConvNet pruned = Surgery.keep(dense, 4, new int[] {1, 2, 7, 9})) {
            assertRoundTrip(pruned);
        }
    }

    @Test
    void imagenetResNetRoundTrips() throws IOException {
        try (ConvNet net = ConvFixtures.randomized(ConvSpec.dense(io.ispasp.model.conv.Arch.RESNET34, false, 7, 0.125), 5)) {
            assertRoundTrip(net);
        }
    }

    private void assertRoundTrip(ConvNet net) throws IOException {
        Path file = dir.resolve("m.pt");
        ModelFile.save(net, file);
        try (LoadedModel back = ModelFile.load(file); PointerScope scope = new PointerScope()) {
            assertEquals(net.spec(), back.conv().spec());
            assertEquals(net.state().keySet(), back.conv().state().keySet(), "torchvision names, same order");
            Tensor x = ConvFixtures.images(3, 32, 9);
            assertTrue(ConvFixtures.maxAbsDiff(net.forward(x), back.conv().forward(x)) == 0.0, "same tensors, same ops");
        }
    }

    @Test
    void mlpRoundTripsAsSequential() throws IOException {
        Mlp mlp = Mlp.random(new int[] {12, 9, 5, 3}, 2);
        Path file = dir.resolve("mlp.pt");
        ModelFile.save(mlp, file);
        assertTrue(TorchScriptReader.isTorchScript(file));
        try (LoadedModel back = ModelFile.load(file); PointerScope scope = new PointerScope()) {
            assertArrayEquals(mlp.sizes(), back.mlp().sizes());
            for (int l = 0; l < mlp.layers(); l++) {
                assertArrayEquals(mlp.weightArray(l), back.mlp().weightArray(l));
                assertArrayEquals(mlp.biasArray(l), back.mlp().biasArray(l));
            }
        }
    }

    @Test
    void nonZipAndTruncatedArchivesAreOneLineErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("x.pt"), "hello");
        IOException e = assertThrows(IOException.class, () -> TorchScriptReader.read(text));
        assertTrue(e.getMessage().contains("not a TorchScript archive"), e.getMessage());

        Path good = dir.resolve("good.pt");
        ModelFile.save(Mlp.random(new int[] {4, 3, 2}, 1), good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.pt"), Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(IOException.class, () -> TorchScriptReader.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> TorchScriptReader.read(dir.resolve("missing.pt")));
    }

    @Test
    void unknownArchitectureListsWhatIsSupported() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("encoder.weight", Tensors.of(new float[6], 2, 3));
        Path file = dir.resolve("odd.pt");
        TorchScriptWriter.build(state, "def forward(self, x: Tensor) -> Tensor:\n    return x\n", "custom", "__torch__.t.").save(file.toString());
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("unknown architecture") && e.getMessage().contains("supported: torchvision resnet18"), e.getMessage());
    }

    @Test
    void bottleneckResNetIsNamedAsUnsupported() {
        Map<String, Tensor> state = fakeState(ConvSpec.dense(io.ispasp.model.conv.Arch.RESNET18, false, 10, 0.125));
        state.put("layer1.0.conv3.weight", Tensors.of(new float[1], 1, 1, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateMapping.candidates(state, null, dir));
        assertTrue(e.getMessage().contains("Bottleneck"), e.getMessage());
    }

    @Test
    void forwardThatDiffersFromTheArchitectureIsRefused() throws IOException {
        // right names and shapes, but a forward with tanh instead of ReLU: the import must not pass it as an MLP
        Mlp mlp = Mlp.random(new int[] {6, 5, 2}, 3);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("0.weight", mlp.weight(0));
        state.put("0.bias", mlp.bias(0));
        state.put("2.weight", mlp.weight(1));
        state.put("2.bias", mlp.bias(1));
        String tanh = ForwardSource.of(mlp).replace("torch.relu", "torch.tanh");
        Path file = dir.resolve("tanh.pt");
        TorchScriptWriter.build(state, tanh, "custom", "__torch__.t.").save(file.toString());
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("forward pass gives different outputs"), e.getMessage());
    }

    @Test
    void failedExportLeavesTheOldFileIntact() throws IOException {
        Path file = Files.writeString(dir.resolve("keep.pt"), "old content");
        ConvNet closed = ConvFixtures.randomized(ConvFixtures.tinyResNet(), 1);
        closed.close();
        assertThrows(IllegalStateException.class, () -> ModelFile.save(closed, file));
        assertEquals("old content", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    private static Map<String, Tensor> fakeState(ConvSpec spec) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : Shapes.of(spec).entrySet()) {
            long n = 1;
            for (long s : e.getValue()) n *= s;
            state.put(e.getKey(), Tensors.of(new float[(int) n], e.getValue()));
        }
        return state;
    }
}
