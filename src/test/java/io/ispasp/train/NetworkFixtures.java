package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import io.ispasp.data.Dataset;
import io.ispasp.data.LabeledData;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Small networks, data and state helpers for the {@link NetworkTrainer} and {@link NetworkEvaluator} tests. */
final class NetworkFixtures {
    static final Architecture RESNET = Architectures.parse("resnet18 form=cifar width=0.125 classes=10");
    static final Architecture MOBILENET = Architectures.parse("mobilenet_v2 form=cifar width=0.25 classes=10");
    static final Architecture VGG_BN = Architectures.parse("vgg11_bn form=cifar width=0.125 classes=10");

    private NetworkFixtures() {}

    /** Three Gaussian blobs in 20 dimensions around random centres (as {@code TrainerTest.blobs}). */
    static Dataset blobs(long seed, int rows) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = 20, k = 3;
        double[][] centre = new double[k][d];
        for (double[] c : centre) for (int j = 0; j < d; j++) c[j] = rnd.nextDouble(-1, 1);
        float[] x = new float[rows * d];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(k);
            for (int j = 0; j < d; j++) {
                double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
                x[i * d + j] = (float) (centre[y[i]][j] + 0.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
            }
        }
        return new Dataset(x, y, d, k);
    }

    /** Every state tensor (parameters and BN buffers) as float64 values, in a fresh map. */
    static Map<String, double[]> snapshot(Network net) {
        Map<String, double[]> out = new HashMap<>();
        for (Map.Entry<String, Tensor> e : net.state().entrySet()) out.put(e.getKey(), Tensors.doubles(e.getValue()));
        return out;
    }

    /** The gradient of the smoothed mean loss over the whole set in one training-mode batch, on a copy of {@code net}. */
    static Map<String, double[]> gradients(Network net, LabeledData data, double eps) {
        Map<String, double[]> out = new HashMap<>();
        try (Network copy = net.copy(); PointerScope s = new PointerScope()) {
            for (String name : copy.parameterNames()) copy.tensor(name).requires_grad_(true);
            CrossEntropy.loss(copy.forward(data.inputs(0, data.size()), true), data.labels(0, data.size()), eps).backward();
            for (String name : copy.parameterNames()) out.put(name, Tensors.doubles(copy.tensor(name).grad()));
        }
        return out;
    }

    /** No parameter requires grad or holds a gradient. */
    static void assertClean(Network net) {
        try (PointerScope s = new PointerScope()) {
            for (String name : net.parameterNames()) {
                Tensor p = net.tensor(name);
                assertFalse(p.requires_grad(), name + " still requires grad");
                assertFalse(p.grad().defined(), name + " still holds a gradient");
            }
        }
    }
}
