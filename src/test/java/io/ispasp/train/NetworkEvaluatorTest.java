package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.ispasp.data.LabeledData;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Accuracy and loss equal a hand computation on the eval-mode logits, whatever the batch size. */
class NetworkEvaluatorTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void accuracyAndLossMatchAHandComputationOnTheLogits() {
        Architecture mlp = Architectures.parse("mlp sizes=20,16,12,3 activation=gelu batchnorm=true dropout=0.2");
        for (Architecture arch : List.of(NetworkFixtures.MOBILENET, NetworkFixtures.VGG_BN, mlp)) {
            LabeledData data = arch == mlp ? NetworkFixtures.blobs(4, 20) : ImageFixtures.squares(20, 32, 3);
            try (Network net = NetFixtures.randomized(arch, 6)) {
                double[] logits;
                try (PointerScope s = new PointerScope()) {
                    logits = Tensors.doubles(net.forward(data.inputs(0, data.size())));
                }
                int k = arch.classes(), n = data.size();
                long[] labels;
                try (PointerScope s = new PointerScope()) {
                    labels = Tensors.longs(data.labels(0, n));
                }
                int correct = 0;
                double loss = 0;
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY, sumExp = 0;
                    for (int c = 0; c < k; c++) {
                        double z = logits[i * k + c];
                        if (z > max) {
                            max = z;
                            best = c;
                        }
                    }
                    for (int c = 0; c < k; c++) sumExp += Math.exp(logits[i * k + c] - max);
                    if (best == labels[i]) correct++;
                    loss += max + Math.log(sumExp) - logits[i * k + (int) labels[i]];
                }
                assertTrue(loss > 0, arch.describe());
                for (int batch : new int[] {1, 7, 20, 64}) {
                    NetworkEvaluator.Result r = NetworkEvaluator.evaluate(net, data, batch);
                    assertEquals(20, r.samples());
                    assertEquals(correct / 20.0, r.accuracy(), arch.describe() + " batch " + batch);
                    assertEquals(loss / 20, r.loss(), 1e-5, arch.describe() + " batch " + batch);
                }
                assertEquals(correct / 20.0, NetworkEvaluator.accuracy(net, data, 8));
                assertEquals(loss / 20, NetworkEvaluator.loss(net, data, 8), 1e-5);
            }
        }
    }
}
