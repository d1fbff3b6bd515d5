package io.ispasp.nn.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NetworkTorchScript} without Python: every fixture architecture (random BN statistics), dense and with a unit
 * pruned to half, exports and reads back to the same architecture, state and outputs, with {@code ispasp_spec} and
 * without it (then the architecture is recognised from the state); the recogniser on state shapes alone; errors.
 */
class NetworkTorchScriptTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest
    @MethodSource("architectures")
    void exportReadsBackWithAndWithoutSpec(Architecture arch) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse(arch instanceof io.ispasp.nn.arch.Bert, "encoders are written as ONNX");
        try (Network dense = NetFixtures.randomized(arch, 4)) {
            int unit = dense.units().size() / 2;
            int[] kept = new int[(dense.unit(unit).groups() + 1) / 2];
            for (int i = 0; i < kept.length; i++) kept[i] = 2 * i;
            try (Network pruned = Surgery.keep(dense, unit, kept)) {
                for (Network net : List.of(dense, pruned)) {
                    for (boolean spec : new boolean[] {true, false}) {
                        if (!spec && arch instanceof Mlp m && m.activation() == Activation.LEAKY_RELU && m.slope() != 0.01) continue;
                        Path file = dir.resolve("net.pt");
                        NetworkTorchScript.write(net, file, spec);
                        assertTrue(NetworkTorchScript.isTorchScript(file));
                        try (Network back = NetworkTorchScript.read(file); PointerScope scope = new PointerScope()) {
                            assertEquals(spec ? arch : expectedWithoutSpec(net), back.architecture(), "spec " + spec);
                            NetworkCheckpointTest.assertStateEquals(net.state(), back.state());
                            Tensor x = NetFixtures.inputs(arch, 2, 6);
                            assertEquals(0.0, NetFixtures.relativeDiff(net.forward(x), back.forward(x)), 1e-6);
                        }
                    }
                }
            }
        }
    }

    /**
     * What the reader can know without the spec from an export of this engine, whose parameter-free modules have
     * no {@code torch.nn} types: an image model entirely; for an MLP, a pruned one reads as the dense MLP of its
     * widths, the dropout probability is unknown (0.5), and the activation is the first that fits the check input
     * (ReLU6 reads as ReLU where the check stays below 6; a LeakyReLU must have the default slope).
     */
    private static Architecture expectedWithoutSpec(Network net) {
        if (!(net.architecture() instanceof Mlp m)) return net.architecture();
        int[] sizes = m.sizes();
        int[] w = net.widths();
        for (int i = 0; i < w.length; i++) sizes[i + 1] = w[i];
        Activation a = m.activation() == Activation.RELU6 ? Activation.RELU : m.activation();
        return new Mlp(sizes, a, m.slope(), m.batchNorm(), m.dropout() > 0 ? 0.5 : 0, m.flatten());
    }

    @Test
    void recogniserReadsTorchvisionShapes() {
        for (String text : List.of("resnet18 form=imagenet width=1 classes=1000", "resnet34 form=cifar width=0.5 classes=10",
                "resnet101 form=imagenet width=0.25 classes=7", "wide_resnet50_2 form=cifar width=0.125 classes=10",
                "resnet152 form=cifar width=0.125 classes=3", "vgg16_bn form=imagenet width=1 classes=1000",
                "vgg19 form=cifar width=0.25 classes=10", "vgg11 form=imagenet width=0.5 classes=4",
                "mobilenet_v2 form=imagenet width=0.35 classes=1000", "mobilenet_v2 form=imagenet width=1.4 classes=10")) {
            Architecture arch = Architectures.parse(text);
            List<Recognizer.Candidate> c = Recognizer.candidates(arch.blueprint().shapes(), List.of(), null);
            assertTrue(c.stream().anyMatch(x -> x.architecture().equals(arch)), text + " not among " + c);
            if (!text.startsWith("mobilenet")) assertEquals(arch, c.get(0).architecture(), text);
        }
    }

    @Test
    void recogniserReadsSequentialChildTypes() {
        Mlp m = (Mlp) Architectures.parse("mlp sizes=20,16,12,5 activation=leaky_relu slope=0.2 batchnorm=true dropout=0.25 flatten=true");
        List<Recognizer.Child> children = List.of(child("0", "Flatten"), child("1", "Linear"), child("2", "BatchNorm1d"),
                new Recognizer.Child("3", "LeakyReLU", 0.2, Double.NaN), new Recognizer.Child("4", "Dropout", 0.25, Double.NaN),
                child("5", "Linear"), child("6", "BatchNorm1d"), new Recognizer.Child("7", "LeakyReLU", 0.2, Double.NaN),
                new Recognizer.Child("8", "Dropout", 0.25, Double.NaN), child("9", "Linear"));
        List<Recognizer.Candidate> c = Recognizer.candidates(m.blueprint().shapes(), children, null);
        assertEquals(List.of(m), c.stream().map(Recognizer.Candidate::architecture).toList());
        List<Recognizer.Child> relu6 = List.of(child("0", "Linear"), new Recognizer.Child("1", "Hardtanh", 0, 6), child("2", "Linear"));
        Mlp small = new Mlp(new int[] {4, 3, 2}, Activation.RELU6, 0.01, false, 0, false);
        assertEquals(small, Recognizer.candidates(small.blueprint().shapes(), relu6, null).get(0).architecture());
        List<Recognizer.Child> softmax = List.of(child("0", "Linear"), child("1", "ReLU"), child("2", "Linear"), child("3", "Softmax"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recognizer.candidates(small.blueprint().shapes(), softmax, null));
        assertTrue(e.getMessage().contains("cannot place module 3 (Softmax)"), e.getMessage());
    }

    private static Recognizer.Child child(String name, String type) { return new Recognizer.Child(name, type, Double.NaN, Double.NaN); }

    @Test
    void unknownStateNamesTheFirstModule() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("encoder.conv.weight", new long[] {8, 3, 3, 3});
        shapes.put("head.weight", new long[] {10, 8});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recognizer.candidates(shapes, List.of(), null));
        assertTrue(e.getMessage().contains("cannot place module 'encoder.conv'"), e.getMessage());
        assertTrue(e.getMessage().contains("wide_resnet50_2"), e.getMessage());
    }

    @Test
    void notAnArchiveIsAnErrorNamingTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("x.pt"), "hello");
        IOException e = assertThrows(IOException.class, () -> NetworkTorchScript.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        Path zip = Files.write(dir.resolve("z.pt"), new byte[] {'P', 'K', 3, 4, 0, 0});
        e = assertThrows(IOException.class, () -> NetworkTorchScript.read(zip));
        assertTrue(e.getMessage().startsWith(zip.toString()) && !e.getMessage().contains("\n"), e.getMessage());
    }
}
