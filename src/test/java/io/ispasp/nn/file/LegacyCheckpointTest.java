package io.ispasp.nn.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import io.ispasp.engine.Tensors;
import io.ispasp.model.torchscript.PyTorch;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine's earlier checkpoint formats load through {@link NetworkCheckpoint#load} with the outputs the old
 * classes gave. The fixtures in {@code src/test/resources/legacy} were written once by the old {@code MlpCheckpoint}
 * and {@code ConvCheckpoint}: a random ReLU MLP 12-10-7-4 ({@code ISPASPM1}), and a CIFAR resnet18 at width 1/16
 * and a CIFAR mobilenetv2 at width 1/4, each with random BN statistics and one unit pruned to half
 * ({@code ISPASPC1}); {@code *.out.f32} hold the old forward's outputs (little-endian float32) on {@link #input}.
 */
class LegacyCheckpointTest {
    static final Path DIR = Path.of("src/test/resources/legacy");

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    /** The fixed input: java.util.Random(11)'s Gaussians. */
    static Tensor input(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        Random rnd = new Random(11);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Tensors.of(v, shape);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"mlp-ISPASPM1 | mlp sizes=12,10,7,4 activation=relu | 3 | 12",
            "resnet18-ISPASPC1 | resnet18 form=cifar width=0.0625 classes=10 | 2 | 0",
            "mobilenetv2-ISPASPC1 | mobilenet_v2 form=cifar width=0.1 classes=3 | 2 | 0"})
    void legacyCheckpointLoadsWithTheOldOutputs(String name, String arch, int batch, int features) throws IOException {
        float[] expected = PyTorch.readFloats(DIR.resolve(name + ".out.f32"));
        try (Network net = NetworkCheckpoint.load(DIR.resolve(name + ".bin")); PointerScope scope = new PointerScope()) {
            assertEquals(arch, net.architecture().describe());
            long[] shape = features > 0 ? new long[] {batch, features} : new long[] {batch, 3, 32, 32};
            float[] actual = Tensors.floats(net.forward(input(shape)));
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < actual.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), name + " output " + i);
            }
            if (features == 0) {
                String hidden = net.unit(unitPruned(name)).spec().hidden() + ".weight";
                long dense = net.architecture().blueprint().shapes().get(hidden)[0];
                assertEquals((dense + 1) / 2, net.unit(unitPruned(name)).groups(), "the pruned unit keeps its width");
            }
        }
    }

    private static int unitPruned(String name) { return name.startsWith("resnet") ? 1 : 2; }
}
