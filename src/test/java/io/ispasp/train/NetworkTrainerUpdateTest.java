package io.ispasp.train;

import static io.ispasp.train.NetworkFixtures.gradients;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.ispasp.data.Augmentation;
import io.ispasp.data.Dataset;
import io.ispasp.data.ImageDataset;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The update rule: NetworkTrainer's steps against SGD written out by hand, and against the old MLP trainer. */
class NetworkTrainerUpdateTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /** One full batch, one epoch, MLP defaults: v = g, w -= lr * (g + wd * w) for weights, b -= lr * g for biases. */
    @Test
    void oneMlpStepMatchesHandWrittenSgd() {
        Dataset data = NetworkFixtures.blobs(2, 40);
        double lr = 0.1, wd = 0.01;
        try (Network start = Network.random(Mlp.relu(20, 32, 3), 1); Network net = start.copy()) {
            new NetworkTrainer(NetworkTrainConfig.mlp().withEpochs(1).withBatchSize(40).withLr(lr).withWeightDecay(wd)).train(net, data);
            Map<String, double[]> g = gradients(start, data, 0);
            for (String name : start.parameterNames()) {
                boolean weight = name.endsWith(".weight");
                double[] w = Tensors.doubles(start.tensor(name)), got = Tensors.doubles(net.tensor(name)), grad = g.get(name);
                for (int j = 0; j < w.length; j++) {
                    double expected = w[j] - lr * (grad[j] + (weight ? wd * w[j] : 0));
                    assertEquals(expected, got[j], 1e-6, name + " entry " + j);
                }
            }
        }
    }

    /**
     * Two full-batch steps of a ResNet against the update written out in float64 from gradients read back in the
     * test: step 1 at the peak rate, step 2 at half of it (cosine over 2 steps), Nesterov momentum carried between
     * them, weight decay on the conv and linear weights and none on BN weights and biases or the classifier bias.
     */
    @Test
    void twoResNetStepsMatchHandComputedNesterovWithDecayOnWeightsOnly() {
        assertTwoNesterovSteps(false);
    }

    /** As above with {@code decayVectors}: every parameter decays. */
    @Test
    void decayVectorsDecaysBnWeightsAndBiasesToo() {
        assertTwoNesterovSteps(true);
    }

    private static void assertTwoNesterovSteps(boolean decayVectors) {
        ImageDataset data = ImageFixtures.squares(12, 16, 5);
        double lr = 0.1, mu = 0.9, wd = 0.05, eps = 0.1;
        NetworkTrainConfig cfg = NetworkTrainConfig.defaults(NetworkFixtures.RESNET).withEpochs(2).withBatchSize(12)
                .withAugmentation(Augmentation.NONE).withLr(lr).withWeightDecay(wd).withLabelSmoothing(eps).withDecayVectors(decayVectors);
        try (Network start = NetFixtures.randomized(NetworkFixtures.RESNET, 4); Network one = start.copy(); Network two = start.copy()) {
            new NetworkTrainer(cfg.withEpochs(1)).train(one, data);
            new NetworkTrainer(cfg).train(two, data);
            Map<String, double[]> g0 = gradients(start, data, eps), g1 = gradients(one, data, eps);
            double lr0 = lr, lr1 = lr / 2;
            double worst = 0;
            for (String name : start.parameterNames()) {
                boolean decayed = decayVectors || start.tensor(name).dim() > 1;
                double[] p0 = Tensors.doubles(start.tensor(name)), p1 = Tensors.doubles(one.tensor(name)), p2 = Tensors.doubles(two.tensor(name));
                double[] a = g0.get(name), b = g1.get(name);
                double vacuity = 0;
                for (int i = 0; i < p0.length; i++) {
                    double d0 = a[i] + (decayed ? wd * p0[i] : 0);
                    double buf1 = d0;
                    double p1e = p0[i] - lr0 * (d0 + mu * buf1);
                    double d1 = b[i] + (decayed ? wd * p1[i] : 0);
                    double buf2 = mu * buf1 + d1;
                    double p2e = p1[i] - lr1 * (d1 + mu * buf2);
                    worst = Math.max(worst, Math.max(Math.abs(p1[i] - p1e), Math.abs(p2[i] - p2e)));
                    // how far the same update with the decay choice flipped would land
                    double flipped = p0[i] - lr0 * (1 + mu) * (a[i] + (decayed ? 0 : wd * p0[i]));
                    vacuity = Math.max(vacuity, Math.abs(flipped - p1e));
                }
                assertTrue(vacuity > 1e-4, name + ": decay choice does not show (" + vacuity + ")");
            }
            assertTrue(worst < 5e-6, "largest difference from the hand-computed update " + worst);
        }
    }
}
