package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import io.ispasp.data.Augmentation;
import io.ispasp.data.Dataset;
import io.ispasp.data.ImageDataset;
import io.ispasp.engine.Cancellation;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batching, step limits, divergence, cancellation and data that does not fit: what a caller sees. */
class NetworkTrainerArgumentsTest {
    private static final NetworkTrainConfig QUICK = NetworkTrainConfig.defaults(NetworkFixtures.RESNET).withEpochs(6).withBatchSize(16).withLr(0.05).withSeed(3);

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void nonFiniteLossNamesEpochAndStepAndLeavesTheNetClean() {
        ImageDataset data = ImageFixtures.squares(16, 16, 8);
        try (Network net = Network.random(NetworkFixtures.RESNET, 1)) {
            NetworkTrainer.Listener poison = (epoch, step, total, running) -> {
                if (step == 3) {
                    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                        net.tensor("fc.weight").fill_(new Scalar(Double.NaN));
                    }
                }
            };
            NetworkTrainer trainer = new NetworkTrainer(QUICK.withEpochs(3).withBatchSize(8), poison);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.train(net, data));
            assertEquals("training diverged at epoch 2, step 4 of 6: loss is NaN; lower --lr (now 0.05)", e.getMessage());
            NetworkFixtures.assertClean(net);
        }
    }

    @Test
    void mlpDivergenceFailsWithTheSameMessage() {
        float[] x = new float[200 * 20];
        for (int i = 0; i < x.length; i++) x[i] = 1e6f * (i % 7 - 3);
        int[] y = new int[200];
        for (int i = 0; i < y.length; i++) y[i] = i % 3;
        Dataset huge = new Dataset(x, y, 20, 3);
        try (Network net = Network.random(Mlp.relu(20, 32, 3), 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new NetworkTrainer(NetworkTrainConfig.mlp().withLr(1e6).withBatchSize(20)).train(net, huge));
            assertEquals(true, e.getMessage().startsWith("training diverged at epoch 1, step "), e.getMessage());
            assertEquals(true, e.getMessage().contains("lower --lr"), e.getMessage());
            NetworkFixtures.assertClean(net);
        }
    }

    @Test
    void aLoneLastSampleJoinsThePreviousBatchAndMaxStepsCapsTheRun() {
        NetworkTrainer t = new NetworkTrainer(QUICK.withBatchSize(8));
        assertEquals(2, t.batchesPerEpoch(16));
        assertEquals(2, t.batchesPerEpoch(17));
        assertEquals(3, t.batchesPerEpoch(18));
        assertEquals(1, t.batchesPerEpoch(5));
        assertEquals(1, t.batchesPerEpoch(1));
        assertEquals(12L, t.totalSteps(17));
        assertEquals(5L, new NetworkTrainer(QUICK.withBatchSize(8).withMaxSteps(5)).totalSteps(17));
        assertEquals(12L, new NetworkTrainer(QUICK.withBatchSize(8).withMaxSteps(50)).totalSteps(17));
        List<Long> totals = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        NetworkTrainer capped = new NetworkTrainer(QUICK.withBatchSize(8).withMaxSteps(3), (epoch, step, total, running) -> {
            totals.add(total);
            epochs.add(epoch);
        });
        try (Network net = Network.random(NetworkFixtures.RESNET, 1)) {
            double[] loss = capped.train(net, ImageFixtures.squares(17, 16, 9)); // batches of 8 and 9 images
            assertEquals(2, loss.length, "a capped run reports the epochs it started");
            assertEquals(List.of(3L, 3L, 3L), totals);
            assertEquals(List.of(1, 1, 2), epochs);
        }
    }

    @Test
    void cancellationStopsBetweenStepsAndLeavesTheNetClean() {
        Cancellation.Token token = new Cancellation.Token();
        List<Long> steps = new ArrayList<>();
        NetworkTrainer trainer = new NetworkTrainer(QUICK.withBatchSize(8), (epoch, step, total, running) -> {
            steps.add(step);
            if (step == 2) token.cancel();
        });
        try (Network net = Network.random(NetworkFixtures.RESNET, 1)) {
            ImageDataset data = ImageFixtures.squares(16, 16, 3);
            assertThrows(CancellationException.class, () -> Cancellation.with(token, () -> trainer.train(net, data)));
            assertEquals(List.of(1L, 2L), steps);
            NetworkFixtures.assertClean(net);
            assertThrows(CancellationException.class, () -> Cancellation.with(token, () -> NetworkEvaluator.evaluate(net, data, 8)));
        }
    }

    @Test
    void rejectsDataThatDoesNotFit() {
        NetworkTrainer trainer = new NetworkTrainer(QUICK);
        try (Network net = Network.random(NetworkFixtures.RESNET, 1); Network mlp = Network.random(Mlp.relu(5, 4, 4), 1)) {
            ImageDataset twelve = ImageDataset.of(new byte[2 * 3 * 4 * 4], new int[] {0, 11}, classes(12), 4, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(net, twelve));
            assertEquals("data has 12 classes but the net has 10 outputs", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> NetworkEvaluator.evaluate(net, twelve, 8));
            assertEquals("data has 12 classes but the net has 10 outputs", e.getMessage());
            ImageDataset single = ImageFixtures.squares(1, 16, 1);
            e = assertThrows(IllegalArgumentException.class, () -> trainer.train(net, single));
            assertEquals("need at least 2 training samples for BN batch statistics, got 1", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> NetworkEvaluator.evaluate(net, single, 0));
            assertEquals("batch size must be >= 1, got 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new NetworkTrainer(null));
            assertEquals("config must not be null", e.getMessage());

            Dataset rows = NetworkFixtures.blobs(1, 10); // 20 features, 3 classes
            e = assertThrows(IllegalArgumentException.class, () -> new NetworkTrainer(NetworkTrainConfig.mlp()).train(mlp, rows));
            assertEquals("data has 20 features per sample but the net expects 5", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> trainer.train(net, rows));
            assertEquals("data samples have shape [20] but resnet18 takes images of 3 channels", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> NetworkEvaluator.evaluate(mlp, single, 4));
            assertEquals("data has 768 features per sample but the net expects 5", e.getMessage()); // 3 x 16 x 16
            try (Network wide = Network.random(Mlp.relu(20, 4, 3), 1)) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> new NetworkTrainer(NetworkTrainConfig.mlp().withAugmentation(Augmentation.STANDARD)).train(wide, rows));
                assertEquals("augmentation STANDARD applies to images only, not to samples of shape [20]", e.getMessage());
                NetworkFixtures.assertClean(wide);
                // no BN: a single row trains
                assertEquals(1, new NetworkTrainer(NetworkTrainConfig.mlp().withEpochs(1)).train(wide, rows.head(1)).length);
            }
        }
    }

    private static List<String> classes(int k) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add("c" + i);
        return names;
    }
}
