package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.data.LabeledData;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Training and evaluating keep native memory flat: every per-step tensor is released by its PointerScope. */
class NetworkTrainerMemoryTest {
    /** 4 epochs of 4 batches: 16 steps a run. */
    private static NetworkTrainConfig run(Network net) {
        return NetworkTrainConfig.defaults(net.architecture()).withEpochs(4).withBatchSize(8).withLr(0.02);
    }

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void manyStepsDoNotGrowResidentMemory() {
        LabeledData data = ImageFixtures.squares(32, 16, 1);
        try (Network net = Network.random(NetworkFixtures.RESNET, 1)) {
            // The allocator settles during the first window; a leak keeps growing in the second. A step's
            // activations and gradients take a few MB, so 48 leaking steps would add far more than the bound.
            runOnce(net, data, run(net));
            long start = nativeResident();
            for (int i = 0; i < 3; i++) runOnce(net, data, run(net));
            long settled = nativeResident();
            for (int i = 0; i < 3; i++) runOnce(net, data, run(net));
            long grown = nativeResident() - settled;
            assertTrue(grown < 40L << 20, "resident memory grew by " + (grown >> 20) + " MB over the last 48 steps (first window: "
                    + ((settled - start) >> 20) + " MB)");
        }
    }

    /** Every native object a run creates is released when it returns: none waits for the garbage collector. */
    @Test
    void trainingAndEvaluationReleaseEveryNativeObject() {
        LabeledData images = ImageFixtures.squares(16, 16, 2), rows = NetworkFixtures.blobs(1, 32);
        try (Network mobile = Network.random(NetworkFixtures.MOBILENET, 1);
             Network mlp = Network.random(Architectures.parse("mlp sizes=20,16,3 activation=gelu batchnorm=true dropout=0.1"), 1)) {
            for (Network net : new Network[] {mobile, mlp}) {
                LabeledData data = net == mlp ? rows : images;
                NetworkTrainConfig shortRun = run(net).withEpochs(2);
                runOnce(net, data, shortRun); // warm-up: lazily created singletons
                long before = Pointer.totalCount();
                runOnce(net, data, shortRun);
                long after = Pointer.totalCount();
                assertTrue(after - before <= 0, net.architecture().name() + ": " + (after - before) + " native objects left for the GC");
            }
        }
    }

    private static void runOnce(Network net, LabeledData data, NetworkTrainConfig config) {
        new NetworkTrainer(config).train(net, data);
        NetworkEvaluator.evaluate(net, data, 8);
    }

    /** Resident bytes minus the committed Java heap; no System.gc(), which would hide missing scopes. */
    private static long nativeResident() {
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }
}
