package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CrossEntropyTest {
    private static final double[][] LOGITS = {{2.0, -1.0, 0.5, 0.0}, {0.1, 0.2, 3.0, -2.5}, {-0.3, 1.7, 1.6, 0.4}};
    private static final int[] LABELS = {0, 2, 3};

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void smoothedLossMatchesHandComputation() {
        for (double eps : new double[] {0.0, 0.1, 0.5}) {
            try (PointerScope s = new PointerScope()) {
                double got = CrossEntropy.loss(logits(), labels(), eps).item_double();
                assertEquals(hand(eps), got, 1e-6, "eps " + eps);
            }
        }
    }

    @Test
    void withoutSmoothingItIsLibtorchsCrossEntropy() {
        try (PointerScope s = new PointerScope()) {
            assertEquals(torch.cross_entropy(logits(), labels()).item_double(), CrossEntropy.loss(logits(), labels(), 0).item_double(), 1e-7);
        }
    }

    @Test
    void rejectsSmoothingOutsideRange() {
        try (PointerScope s = new PointerScope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.loss(logits(), labels(), 1.0));
            assertEquals("label smoothing must be in [0, 1), got 1.0", e.getMessage());
        }
    }

    /** mean_i [ -(1 - eps) log p_i[y_i] - eps/K sum_k log p_i[k] ] in float64. */
    private static double hand(double eps) {
        double total = 0;
        for (int i = 0; i < LOGITS.length; i++) {
            double[] z = LOGITS[i];
            double max = Double.NEGATIVE_INFINITY, sumExp = 0, sumLogP = 0;
            for (double v : z) max = Math.max(max, v);
            for (double v : z) sumExp += Math.exp(v - max);
            double lse = max + Math.log(sumExp);
            for (double v : z) sumLogP += v - lse;
            total += -(1 - eps) * (z[LABELS[i]] - lse) - eps / z.length * sumLogP;
        }
        return total / LOGITS.length;
    }

    private static Tensor logits() {
        float[] f = new float[LOGITS.length * LOGITS[0].length];
        for (int i = 0; i < LOGITS.length; i++) for (int k = 0; k < LOGITS[i].length; k++) f[i * LOGITS[i].length + k] = (float) LOGITS[i][k];
        return Tensors.of(f, LOGITS.length, LOGITS[0].length);
    }

    private static Tensor labels() {
        return Tensors.indices(LABELS);
    }
}
