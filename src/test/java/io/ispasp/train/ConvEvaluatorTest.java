package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ispasp.data.ImageDataset;
import io.ispasp.engine.Tensors;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConvEvaluatorTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void accuracyAndLossMatchAHandComputationOnTheLogits() {
        ImageDataset data = ImageFixtures.squares(20, 16, 3);
        try (ConvNet net = ConvFixtures.randomized(ConvFixtures.tinyMobileNet(), 6)) {
            double[] logits;
            try (PointerScope s = new PointerScope()) {
                logits = Tensors.doubles(net.forward(data.images(0, data.size())));
            }
            int k = net.spec().classes();
            int correct = 0;
            double loss = 0;
            for (int i = 0; i < data.size(); i++) {
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
                if (best == data.label(i)) correct++;
                loss += max + Math.log(sumExp) - logits[i * k + data.label(i)];
            }
            for (int batch : new int[] {1, 7, 20, 64}) {
                ConvEvaluator.Result r = ConvEvaluator.evaluate(net, data, batch);
                assertEquals(20, r.images());
                assertEquals(correct / 20.0, r.accuracy(), "batch " + batch);
                assertEquals(loss / 20, r.loss(), 1e-5, "batch " + batch);
            }
            assertEquals(correct / 20.0, ConvEvaluator.accuracy(net, data, 8));
            assertEquals(loss / 20, ConvEvaluator.loss(net, data, 8), 1e-5);
        }
    }
}
