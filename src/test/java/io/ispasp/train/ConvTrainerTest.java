package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ispasp.data.Augmentation;
import io.ispasp.data.ImageDataset;
import io.ispasp.engine.Tensors;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConvTrainerTest {
    /** Quick-run settings: Nesterov SGD, label smoothing 0.1, standard augmentation, cosine schedule. */
    private static final ConvTrainConfig QUICK = ConvTrainConfig.defaults().withEpochs(6).withBatchSize(16).withLr(0.05).withSeed(3);

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void learnsColouredSquaresAndLowersTheLoss() {
        ImageDataset data = ImageFixtures.squares(64, 32, 1);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 2)) {
            ConvEvaluator.Result before = ConvEvaluator.evaluate(net, data, 64);
            List<Long> steps = new ArrayList<>();
            ConvTrainer trainer = new ConvTrainer(QUICK.withEpochs(8).withLr(0.1), (epoch, step, total, running) -> steps.add(step));
            double[] epochLoss = trainer.train(net, data);
            ConvEvaluator.Result after = ConvEvaluator.evaluate(net, data, 64);
            assertEquals(8, epochLoss.length);
            assertTrue(epochLoss[7] < 0.7 * epochLoss[0], "epoch losses should fall: " + Arrays.toString(epochLoss));
            assertTrue(after.loss() < before.loss(), "eval loss " + before.loss() + " -> " + after.loss());
            // chance is 0.25; seeds 1..4 of data and net reached 0.75 to 1.0 here
            assertTrue(after.accuracy() >= 0.6, "accuracy " + after.accuracy() + " (chance 0.25), before " + before.accuracy());
            assertEquals(32, steps.size());
            assertEquals(32L, trainer.totalSteps(64));
            assertEquals(32L, steps.get(31));
            assertClean(net);
        }
    }

    /**
     * Two full-batch steps against the update written out in float64 from gradients read back in the test: step 1
     * at the peak rate, step 2 at half of it (cosine over 2 steps), Nesterov momentum carried between them, weight
     * decay on the conv and linear weights and none on BN weights and biases or the classifier bias.
     */
    @Test
    void twoStepsMatchHandComputedNesterovWithDecayOnWeightsOnly() {
        ImageDataset data = ImageFixtures.squares(12, 16, 5);
        double lr = 0.1, mu = 0.9, wd = 0.05, eps = 0.1;
        ConvTrainConfig cfg = QUICK.withEpochs(2).withBatchSize(12).withAugmentation(Augmentation.NONE).withLr(lr)
                .withWeightDecay(wd).withLabelSmoothing(eps);
        try (ConvNet start = ConvFixtures.randomized(ConvFixtures.tinyResNet(), 4);
             ConvNet one = start.copy();
             ConvNet two = start.copy()) {
            new ConvTrainer(cfg.withEpochs(1)).train(one, data);
            new ConvTrainer(cfg).train(two, data);
            Map<String, double[]> g0 = gradients(start, data, eps), g1 = gradients(one, data, eps);
            double lr0 = lr, lr1 = lr / 2;
            double worst = 0;
            for (String name : start.parameterNames()) {
                boolean decayed = start.tensor(name).dim() > 1;
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
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 1)) {
            for (String decayed : List.of("conv1.weight", "layer2.0.downsample.0.weight", "fc.weight")) assertTrue(Sgd.decays(net.tensor(decayed)), decayed);
            for (String exempt : List.of("bn1.weight", "bn1.bias", "layer1.0.bn2.weight", "layer2.0.downsample.1.bias", "fc.bias")) {
                assertFalse(Sgd.decays(net.tensor(exempt)), exempt);
            }
        }
    }

    @Test
    void bnRunningStatisticsMoveInTrainingButNotInEvaluation() {
        ImageDataset data = ImageFixtures.squares(16, 16, 6);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 5)) {
            Map<String, double[]> before = snapshot(net);
            new ConvTrainer(QUICK.withBatchSize(8).withMaxSteps(3)).train(net, data);
            Map<String, double[]> trained = snapshot(net);
            for (String bn : List.of("bn1", "layer1.1.bn2", "layer4.0.downsample.1")) {
                assertFalse(Arrays.equals(before.get(bn + ".running_mean"), trained.get(bn + ".running_mean")), bn + " running mean");
                assertFalse(Arrays.equals(before.get(bn + ".running_var"), trained.get(bn + ".running_var")), bn + " running var");
                assertArrayEquals(new double[] {3}, trained.get(bn + ".num_batches_tracked"), bn + " batches tracked");
            }
            ConvEvaluator.evaluate(net, data, 5);
            Map<String, double[]> evaluated = snapshot(net);
            for (String name : trained.keySet()) assertArrayEquals(trained.get(name), evaluated.get(name), name + " changed in evaluation");
        }
    }

    @Test
    void sameSeedGivesBitwiseIdenticalWeightsWithOneThread() {
        int threads = TorchRuntime.threads();
        TorchRuntime.setThreads(1);
        try {
            ImageDataset data = ImageFixtures.squares(24, 16, 7);
            ConvTrainConfig cfg = QUICK.withBatchSize(8).withMaxSteps(4); // standard augmentation, shuffles across 2 epochs
            for (ConvSpec spec : List.of(ConvFixtures.tinyResNet(), ConvFixtures.tinyMobileNet())) { // MobileNetV2: dropout too
                try (ConvNet a = ConvNet.random(spec, 9); ConvNet b = ConvNet.random(spec, 9); ConvNet c = ConvNet.random(spec, 9)) {
                    new ConvTrainer(cfg).train(a, data);
                    new ConvTrainer(cfg).train(b, data);
                    new ConvTrainer(cfg.withSeed(4)).train(c, data);
                    Map<String, double[]> sa = snapshot(a), sb = snapshot(b), sc = snapshot(c);
                    boolean differs = false;
                    for (String name : sa.keySet()) {
                        assertArrayEquals(sa.get(name), sb.get(name), spec.arch() + " " + name);
                        differs |= !Arrays.equals(sa.get(name), sc.get(name));
                    }
                    assertTrue(differs, spec.arch() + ": another seed should give other weights");
                }
            }
        } finally {
            TorchRuntime.setThreads(threads);
        }
    }

    @Test
    void nonFiniteLossNamesEpochAndStepAndLeavesTheNetClean() {
        ImageDataset data = ImageFixtures.squares(16, 16, 8);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 1)) {
            Trainer.Listener poison = (epoch, step, total, running) -> {
                if (step == 3) {
                    try (PointerScope s = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                        net.tensor("fc.weight").fill_(new org.bytedeco.pytorch.Scalar(Double.NaN));
                    }
                }
            };
            ConvTrainer trainer = new ConvTrainer(QUICK.withEpochs(3).withBatchSize(8), poison);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.train(net, data));
            assertEquals("training diverged at epoch 2, step 4 of 6: loss is NaN; lower --lr (now 0.05)", e.getMessage());
            assertClean(net);
        }
    }

    @Test
    void aLoneLastImageJoinsThePreviousBatchAndMaxStepsCapsTheRun() {
        ConvTrainer t = new ConvTrainer(QUICK.withBatchSize(8));
        assertEquals(2, t.batchesPerEpoch(16));
        assertEquals(2, t.batchesPerEpoch(17));
        assertEquals(3, t.batchesPerEpoch(18));
        assertEquals(1, t.batchesPerEpoch(5));
        assertEquals(12L, t.totalSteps(17));
        assertEquals(5L, new ConvTrainer(QUICK.withBatchSize(8).withMaxSteps(5)).totalSteps(17));
        assertEquals(12L, new ConvTrainer(QUICK.withBatchSize(8).withMaxSteps(50)).totalSteps(17));
        List<Long> steps = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        ConvTrainer capped = new ConvTrainer(QUICK.withBatchSize(8).withMaxSteps(3), (epoch, step, total, running) -> {
            steps.add(total);
            epochs.add(epoch);
        });
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 1)) {
            double[] loss = capped.train(net, ImageFixtures.squares(17, 16, 9)); // batches of 8 and 9 images
            assertEquals(2, loss.length, "a capped run reports the epochs it started");
            assertEquals(List.of(3L, 3L, 3L), steps);
            assertEquals(List.of(1, 1, 2), epochs);
        }
    }

    @Test
    void rejectsDataThatDoesNotFit() {
        ConvTrainer trainer = new ConvTrainer(QUICK);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 1)) {
            ImageDataset twelve = ImageDataset.of(new byte[2 * 3 * 4 * 4], new int[] {0, 11}, classes(12), 4, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(net, twelve));
            assertEquals("data has 12 classes but the net has 10 outputs", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ConvEvaluator.evaluate(net, twelve, 8));
            assertEquals("data has 12 classes but the net has 10 outputs", e.getMessage());
            ImageDataset single = ImageFixtures.squares(1, 16, 1);
            e = assertThrows(IllegalArgumentException.class, () -> trainer.train(net, single));
            assertEquals("need at least 2 training images for BN batch statistics, got 1", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ConvEvaluator.evaluate(net, single, 0));
            assertEquals("batch size must be >= 1, got 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new ConvTrainer(null));
            assertEquals("config must not be null", e.getMessage());
        }
    }

    private static List<String> classes(int k) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add("c" + i);
        return names;
    }

    /** Every state tensor (parameters and BN buffers) as float64 values, in a fresh map. */
    static Map<String, double[]> snapshot(ConvNet net) {
        Map<String, double[]> out = new HashMap<>();
        for (Map.Entry<String, Tensor> e : net.state().entrySet()) out.put(e.getKey(), Tensors.doubles(e.getValue()));
        return out;
    }

    /** The gradient of the smoothed loss over the whole set in one training-mode batch, on a copy of {@code net}. */
    private static Map<String, double[]> gradients(ConvNet net, ImageDataset data, double eps) {
        Map<String, double[]> out = new HashMap<>();
        try (ConvNet copy = net.copy(); PointerScope s = new PointerScope()) {
            for (String name : copy.parameterNames()) copy.tensor(name).requires_grad_(true);
            CrossEntropy.loss(copy.forward(data.images(0, data.size()), true), data.labels(0, data.size()), eps).backward();
            for (String name : copy.parameterNames()) out.put(name, Tensors.doubles(copy.tensor(name).grad()));
        }
        return out;
    }

    private static void assertClean(ConvNet net) {
        try (PointerScope s = new PointerScope()) {
            for (String name : net.parameterNames()) {
                Tensor p = net.tensor(name);
                assertFalse(p.requires_grad(), name + " still requires grad");
                assertFalse(p.grad().defined(), name + " still holds a gradient");
            }
        }
    }
}
