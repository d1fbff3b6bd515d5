package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.ispasp.data.LabeledData;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With one libtorch thread the same seed gives bitwise identical state (shuffle, augmentation, dropout); another seed does not. */
class NetworkTrainerDeterminismTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void sameSeedGivesBitwiseIdenticalStateWithOneThread() {
        int threads = TorchRuntime.threads();
        TorchRuntime.setThreads(1);
        try {
            LabeledData images = ImageFixtures.squares(24, 16, 7), rows = NetworkFixtures.blobs(5, 300);
            Architecture dropoutMlp = Architectures.parse("mlp sizes=20,32,16,3 activation=gelu batchnorm=true dropout=0.2");
            for (Architecture arch : List.of(NetworkFixtures.RESNET, NetworkFixtures.MOBILENET, Mlp.relu(20, 32, 3), dropoutMlp)) {
                boolean mlp = arch instanceof Mlp;
                LabeledData data = mlp ? rows : images;
                // images: standard augmentation, shuffles across 2 epochs; MobileNetV2 and the second MLP: dropout too
                NetworkTrainConfig cfg = mlp ? NetworkTrainConfig.mlp().withEpochs(2).withBatchSize(50).withWeightDecay(1e-3).withSeed(4)
                        : NetworkTrainConfig.defaults(arch).withBatchSize(8).withMaxSteps(4).withLr(0.05).withSeed(3);
                try (Network a = Network.random(arch, 9); Network b = Network.random(arch, 9); Network c = Network.random(arch, 9)) {
                    new NetworkTrainer(cfg).train(a, data);
                    new NetworkTrainer(cfg).train(b, data);
                    new NetworkTrainer(cfg.withSeed(cfg.seed() + 1)).train(c, data);
                    Map<String, double[]> sa = NetworkFixtures.snapshot(a), sb = NetworkFixtures.snapshot(b), sc = NetworkFixtures.snapshot(c);
                    boolean differs = false;
                    for (String name : sa.keySet()) {
                        assertArrayEquals(sa.get(name), sb.get(name), arch.describe() + " " + name);
                        differs |= !Arrays.equals(sa.get(name), sc.get(name));
                    }
                    assertTrue(differs, arch.describe() + ": another seed should give another state");
                }
            }
        } finally {
            TorchRuntime.setThreads(threads);
        }
    }
}
