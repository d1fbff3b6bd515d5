package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.data.ImageDataset;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Training and evaluating keep native memory flat: every per-step tensor is released by its PointerScope. */
class ConvTrainerMemoryTest {
    /** 4 epochs of 4 batches: 16 steps a run. */
    private static final ConvTrainConfig RUN = ConvTrainConfig.defaults().withEpochs(4).withBatchSize(8).withLr(0.02);

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void manyStepsDoNotGrowResidentMemory() {
        ImageDataset data = ImageFixtures.squares(32, 16, 1);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 1)) {
            // The allocator settles during the first window; a leak keeps growing in the second. A step's
            // activations and gradients take a few MB, so 48 leaking steps would add far more than the bound.
            runOnce(net, data, RUN);
            long start = nativeResident();
            for (int i = 0; i < 3; i++) runOnce(net, data, RUN);
            long settled = nativeResident();
            for (int i = 0; i < 3; i++) runOnce(net, data, RUN);
            long grown = nativeResident() - settled;
            assertTrue(grown < 40L << 20, "resident memory grew by " + (grown >> 20) + " MB over the last 48 steps (first window: "
                    + ((settled - start) >> 20) + " MB)");
        }
    }

    /** Every native object a run creates is released when it returns: none waits for the garbage collector. */
    @Test
    void trainingAndEvaluationReleaseEveryNativeObject() {
        ImageDataset data = ImageFixtures.squares(16, 16, 2);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyMobileNet(), 1)) {
            ConvTrainConfig shortRun = RUN.withEpochs(2);
            runOnce(net, data, shortRun); // warm-up: lazily created singletons
            long before = Pointer.totalCount();
            runOnce(net, data, shortRun);
            long after = Pointer.totalCount();
            assertTrue(after - before <= 0, (after - before) + " native objects left for the GC");
        }
    }

    private static void runOnce(ConvNet net, ImageDataset data, ConvTrainConfig config) {
        new ConvTrainer(config).train(net, data);
        ConvEvaluator.evaluate(net, data, 8);
    }

    /** Resident bytes minus the committed Java heap; no System.gc(), which would hide missing scopes. */
    private static long nativeResident() {
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }
}
