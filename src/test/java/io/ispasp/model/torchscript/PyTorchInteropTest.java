package io.ispasp.model.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.engine.Tensors;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Surgery;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TorchScript against a real PyTorch: torchvision models scripted in Python import into the engine with the same
 * outputs, and the engine's pruned export loads in Python with torchvision's state-dict names, smaller shapes and
 * the engine's outputs (max abs difference under 1e-4).
 */
class PyTorchInteropTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @BeforeAll
    static void init() {
        PyTorch.require();
        TorchRuntime.init();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "mobilenet_v2", "mlp", "mlp-flatten"})
    void torchvisionModelImportsAndPrunedExportRunsInPython(String arch) throws IOException {
        Path dense = dir.resolve(arch + ".pt");
        boolean mlp = arch.startsWith("mlp"), flatten = arch.equals("mlp-flatten");
        if (flatten) PyTorch.make("mlp", dense, "--sizes", "784,64,32,10", "--seed", "1", "--flatten");
        else PyTorch.make(arch, dense, "--sizes", "784,64,32,10", "--seed", "1");
        // the Flatten model takes images: Python gets [4, 1, 28, 28], the engine's MLP the same values as [4, 784]
        long[] shape = flatten ? new long[] {4, 1, 28, 28} : mlp ? new long[] {4, 784} : new long[] {2, 3, 64, 64};
        float[] input = randomInput(shape);
        PyTorch.Output denseOut = PyTorch.run(dense, input, shape, dir);
        JsonNode denseInfo = new ObjectMapper().readTree(denseOut.json());

        Path pruned = dir.resolve(arch + "-pruned.pt");
        List<String> keptNames = new ArrayList<>();
        try (LoadedModel model = ModelFile.load(dense); PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.of(input, mlp ? new long[] {shape[0], 784} : shape);
            assertClose(denseOut.values(), model.isConv() ? model.conv().forward(x) : model.mlp().forward(x), "import of " + arch);
            float[] engineOut;
            if (mlp) {
                Mlp p = model.mlp().prune(1, new int[] {0, 5, 6, 31}, null, 1f);
                ModelFile.save(p, pruned);
                engineOut = Tensors.floats(p.forward(x));
                keptNames.add((flatten ? "3" : "2") + ".weight=4");
            } else {
                ConvNet net = model.conv();
                assertEquals(arch.equals("mobilenet_v2") ? Arch.MOBILENETV2 : Arch.parse(arch), net.spec().arch());
                assertEquals(false, net.spec().cifar(), "torchvision's own form");
                try (ConvNet p1 = Surgery.keep(net, 1, everyOther(net.spec().inner(1)));
                     ConvNet p2 = Surgery.keep(p1, 4, everyOther(p1.spec().inner(4)))) {
                    ModelFile.save(p2, pruned);
                    engineOut = Tensors.floats(p2.forward(x));
                    for (int u : new int[] {1, 4}) {
                        String name = p2.spec().unitNames().get(u) + (net.spec().arch().isResNet() ? ".conv1.weight" : ".conv.0.0.weight");
                        keptNames.add(name + "=" + p2.spec().inner(u));
                    }
                }
            }
            PyTorch.Output prunedOut = PyTorch.run(pruned, input, shape, dir);
            float maxDiff = 0;
            for (int i = 0; i < engineOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(engineOut[i] - prunedOut.values()[i]));
            assertEquals(engineOut.length, prunedOut.values().length);
            assertTrue(maxDiff < TOLERANCE, arch + ": Python's output of the pruned export differs from the engine's by " + maxDiff);
            System.out.printf("%s: pruned export, Python vs engine: max abs difference %.3g (outputs up to %.3g)%n", arch, maxDiff,
                    maxAbs(engineOut));

            JsonNode prunedInfo = new ObjectMapper().readTree(prunedOut.json());
            assertEquals(names(denseInfo.get("state")), names(prunedInfo.get("state")), "the export has torchvision's state-dict names, in order");
            for (String kept : keptNames) {
                String[] kv = kept.split("=");
                assertEquals(Integer.parseInt(kv[1]), prunedInfo.get("state").get(kv[0]).get(0).asInt(), kv[0] + " is smaller in Python");
            }
        }
        try (LoadedModel back = ModelFile.load(pruned)) {
            assertTrue(back.describe().contains(mlp ? "[784, 64, 4, 10]" : ""), back.describe());
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static List<String> names(JsonNode state) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = state.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    private static int[] everyOther(int n) {
        int[] k = new int[n / 2];
        for (int i = 0; i < k.length; i++) k[i] = 2 * i + 1;
        return k;
    }

    private static float[] randomInput(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        Random r = new Random(11);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static void assertClose(float[] expected, Tensor actual, String what) {
        float[] a = Tensors.floats(actual);
        assertEquals(expected.length, a.length, what + ": output size");
        float maxDiff = 0;
        for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - a[i]));
        assertTrue(maxDiff < TOLERANCE, what + ": engine output differs from PyTorch's by " + maxDiff);
        System.out.printf("%s: engine vs PyTorch: max abs difference %.3g (outputs up to %.3g)%n", what, maxDiff, maxAbs(expected));
    }
}
