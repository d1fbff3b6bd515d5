package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    private static Dataset random(int rows, int features, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = rnd.nextInt(classes);
        return new Dataset(x, y, features, classes);
    }

    /** Float64 logits of row {@code r}, computed in plain Java from the model's arrays. */
    private static double[] logits(Mlp m, Dataset d, int r, float[] x) {
        int[] s = m.sizes();
        double[] h = new double[s[0]];
        for (int i = 0; i < s[0]; i++) h[i] = x[r * s[0] + i];
        for (int l = 0; l < m.layers(); l++) {
            float[] w = m.weightArray(l), b = m.biasArray(l);
            double[] next = new double[s[l + 1]];
            for (int o = 0; o < next.length; o++) {
                double acc = b[o];
                for (int i = 0; i < h.length; i++) acc += (double) w[o * h.length + i] * h[i];
                next[o] = l + 1 < m.layers() ? Math.max(0, acc) : acc;
            }
            h = next;
        }
        return h;
    }

    @Test
    void accuracyAndLossMatchPlainJava() {
        int rows = 257, features = 12, classes = 4;
        Dataset d = random(rows, features, classes, 8);
        float[] x = io.ispasp.engine.Tensors.floats(d.features(0, rows));
        Mlp m = Mlp.random(new int[] {features, 16, 10, classes}, 2);
        int correct = 0;
        double lossSum = 0;
        for (int r = 0; r < rows; r++) {
            double[] z = logits(m, d, r, x);
            int best = 0;
            for (int c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
            if (best == d.label(r)) correct++;
            double max = z[best], norm = 0;
            for (double v : z) norm += Math.exp(v - max);
            lossSum += max + Math.log(norm) - z[d.label(r)];
        }
        double expected = (double) correct / rows;
        assertTrue(correct > 0 && correct < rows, "a random model should be partly right: " + correct);
        for (int batch : new int[] {1, 50, 256, 1000}) {
            assertEquals(expected, Evaluator.accuracy(m, d, batch), 0, "batch " + batch);
            assertEquals(lossSum / rows, Evaluator.loss(m, d, batch), 1e-5, "batch " + batch);
        }
    }

    @Test
    void rejectsBadArguments() {
        Dataset d = random(10, 3, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> Evaluator.accuracy(Mlp.random(new int[] {3, 2}, 1), d, 0));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.loss(Mlp.random(new int[] {4, 2}, 1), d, 5));
    }
}
