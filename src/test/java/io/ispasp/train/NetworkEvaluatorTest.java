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

    /** The fidelity of one network to another equals a hand computation on both networks' logits, in one pass. */
    @Test
    void fidelityMatchesAHandComputation() {
        Architecture arch = Architectures.parse("mlp sizes=20,16,12,3 activation=relu");
        LabeledData data = NetworkFixtures.blobs(4, 20);
        try (Network a = NetFixtures.randomized(arch, 1); Network b = NetFixtures.randomized(arch, 2)) {
            double[] la, lb;
            long[] labels;
            try (PointerScope s = new PointerScope()) {
                la = Tensors.doubles(a.forward(data.inputs(0, data.size())));
                lb = Tensors.doubles(b.forward(data.inputs(0, data.size())));
                labels = Tensors.longs(data.labels(0, data.size()));
            }
            int n = data.size(), k = 3, agree = 0, ca = 0, cb = 0;
            double kl = 0;
            for (int i = 0; i < n; i++) {
                double[] p = softmax(la, i * k, k), q = softmax(lb, i * k, k);
                int ia = argmax(p), ib = argmax(q);
                if (ia == ib) agree++;
                if (ia == labels[i]) ca++;
                if (ib == labels[i]) cb++;
                for (int c = 0; c < k; c++) kl += p[c] * (Math.log(p[c]) - Math.log(q[c]));
            }
            for (int batch : new int[] {1, 7, 64}) {
                NetworkEvaluator.Fidelity f = NetworkEvaluator.fidelity(a, b, data, true, batch);
                assertEquals(n, f.samples());
                assertEquals((double) agree / n, f.agreement(), "batch " + batch);
                assertEquals((double) ca / n, f.denseAccuracy());
                assertEquals((double) cb / n, f.prunedAccuracy());
                assertEquals(kl / n, f.klDivergence(), 1e-6 * Math.max(1, kl / n));
            }
            assertTrue(agree < n && kl > 0, "two random nets disagree somewhere");
            NetworkEvaluator.Fidelity self = NetworkEvaluator.fidelity(a, a, data, false, 8);
            assertEquals(1.0, self.agreement());
            assertEquals(0.0, self.klDivergence(), 1e-12);
            assertTrue(Double.isNaN(self.denseAccuracy()), "no accuracy without labels");
        }
    }

    private static double[] softmax(double[] logits, int from, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < k; c++) max = Math.max(max, logits[from + c]);
        double[] p = new double[k];
        for (int c = 0; c < k; c++) sum += p[c] = Math.exp(logits[from + c] - max);
        for (int c = 0; c < k; c++) p[c] /= sum;
        return p;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
