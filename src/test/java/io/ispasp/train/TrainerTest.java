package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static final int[] SIZES = {20, 32, 3};

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /** Three Gaussian blobs in 20 dimensions around random centres, 600 rows. */
    static Dataset blobs(long seed, int rows) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = 20, k = 3;
        double[][] centre = new double[k][d];
        for (double[] c : centre) for (int j = 0; j < d; j++) c[j] = rnd.nextDouble(-1, 1);
        float[] x = new float[rows * d];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(k);
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (centre[y[i]][j] + 0.5 * gaussian(rnd));
        }
        return new Dataset(x, y, d, k);
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Test
    void learnsSeparableProblemAndLowersLoss() {
        Dataset data = blobs(7, 600);
        Mlp model = Mlp.random(SIZES, 3);
        double before = Evaluator.loss(model, data, 256);
        List<Long> steps = new ArrayList<>();
        Trainer trainer = new Trainer(TrainConfig.defaults().withEpochs(5).withBatchSize(32).withSeed(11),
                (epoch, step, total, running) -> steps.add(step));
        double[] epochLoss = trainer.train(model, data);
        double after = Evaluator.loss(model, data, 256);
        double acc = Evaluator.accuracy(model, data, 256);
        assertTrue(acc > 0.95, "training accuracy " + acc);
        assertTrue(after < before * 0.5, "loss " + before + " -> " + after);
        assertEquals(5, epochLoss.length);
        assertTrue(epochLoss[4] < epochLoss[0], "epoch losses should fall: " + java.util.Arrays.toString(epochLoss));
        assertEquals(trainer.totalSteps(600), steps.size());
        assertEquals(5L * 19, steps.size());
        assertEquals(95L, steps.get(steps.size() - 1));
        for (var p : model.parameters()) assertFalse(p.requires_grad(), "parameters must not require grad after training");
    }

    @Test
    void sameSeedGivesBitwiseIdenticalWeights() {
        int threads = TorchRuntime.threads();
        TorchRuntime.setThreads(1);
        try {
            Dataset data = blobs(5, 300);
            TrainConfig cfg = TrainConfig.defaults().withEpochs(2).withBatchSize(50).withWeightDecay(1e-3).withSeed(4);
            Mlp a = Mlp.random(SIZES, 9), b = Mlp.random(SIZES, 9), c = Mlp.random(SIZES, 9);
            new Trainer(cfg).train(a, data);
            new Trainer(cfg).train(b, data);
            new Trainer(cfg.withSeed(5)).train(c, data);
            boolean differs = false;
            for (int l = 0; l < a.layers(); l++) {
                assertArrayEquals(a.weightArray(l), b.weightArray(l), 0f, "weights of layer " + l);
                assertArrayEquals(a.biasArray(l), b.biasArray(l), 0f, "bias of layer " + l);
                differs |= !java.util.Arrays.equals(a.weightArray(l), c.weightArray(l));
            }
            assertTrue(differs, "another shuffling seed should give other weights");
        } finally {
            TorchRuntime.setThreads(threads);
        }
    }

    @Test
    void oneStepMatchesHandWrittenSgd() {
        // one full batch, one epoch: lr_0 = lr, v = g, w -= lr * (g + wd * w) for weights, b -= lr * g for biases
        Dataset data = blobs(2, 40);
        Mlp model = Mlp.random(SIZES, 1);
        Mlp reference = model.copy();
        double lr = 0.1, wd = 0.01;
        new Trainer(new TrainConfig(1, 40, lr, 0.9, wd, 0)).train(model, data);
        // gradients of the mean loss on the full batch, via autograd on the copy
        List<org.bytedeco.pytorch.Tensor> p = reference.parameters();
        try (var s = new org.bytedeco.javacpp.PointerScope()) {
            for (var t : p) t.requires_grad_(true);
            org.bytedeco.pytorch.global.torch.cross_entropy(reference.forward(data.features(0, 40)), data.labels(0, 40)).backward();
            for (int i = 0; i < p.size(); i++) {
                float[] w = io.ispasp.engine.Tensors.floats(p.get(i).detach());
                float[] g = io.ispasp.engine.Tensors.floats(p.get(i).grad());
                float[] got = io.ispasp.engine.Tensors.floats(model.parameters().get(i));
                for (int j = 0; j < w.length; j++) {
                    double expected = w[j] - lr * (g[j] + (i % 2 == 0 ? wd * w[j] : 0));
                    assertEquals(expected, got[j], 1e-6, "parameter " + i + " entry " + j);
                }
            }
            for (var t : p) t.requires_grad_(false);
        }
    }

    @Test
    void divergenceFailsWithClearMessage() {
        Dataset data = blobs(3, 200);
        float[] x = new float[200 * 20];
        for (int i = 0; i < x.length; i++) x[i] = 1e6f * (i % 7 - 3);
        int[] y = new int[200];
        for (int i = 0; i < y.length; i++) y[i] = data.label(i);
        Dataset huge = new Dataset(x, y, 20, 3);
        Mlp model = Mlp.random(SIZES, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Trainer(TrainConfig.defaults().withLr(1e6).withBatchSize(20)).train(model, huge));
        assertTrue(e.getMessage().startsWith("training diverged at epoch 1 step "), e.getMessage());
        assertTrue(e.getMessage().contains("lower --lr"), e.getMessage());
        for (var p : model.parameters()) assertFalse(p.requires_grad());
    }

    @Test
    void cosineScheduleAndValidation() {
        assertEquals(0.05, Trainer.learningRate(0.05, 0, 100), 0);
        assertEquals(0.025, Trainer.learningRate(0.05, 50, 100), 1e-15);
        assertTrue(Trainer.learningRate(0.05, 99, 100) > 0);
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withLr(0));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withMomentum(1));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withEpochs(0));
        Dataset data = blobs(1, 10);
        assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainConfig.defaults()).train(Mlp.random(new int[] {5, 3}, 1), data));
    }
}
