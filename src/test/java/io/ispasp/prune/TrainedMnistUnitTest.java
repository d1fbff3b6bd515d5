package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.data.Dataset;
import io.ispasp.data.Mnist;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both paths agree on a unit of an MLP actually trained on MNIST (sparse, correlated activations). */
class TrainedMnistUnitTest {
    private static Network model;
    private static Dataset calibration;

    @BeforeAll
    static void train() throws Exception {
        TorchRuntime.init();
        Path dir = Path.of("datasets/mnist");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("train-images-idx3-ubyte")),
                "MNIST not fetched into datasets/mnist (run datasets/fetch-mnist.sh)");
        Dataset train = Mnist.load(dir, true).head(6000);
        model = Network.random(io.ispasp.nn.arch.Mlp.relu(784, 128, 64, 10), 0);
        new NetworkTrainer(NetworkTrainConfig.mlp().withEpochs(1)).train(model, train);
        assertTrue(NetworkEvaluator.accuracy(model, train, 1000) > 0.85, "the trained model should have learned something");
        calibration = train.head(1500);
    }

    @Test
    void pathsAgreeOnTrainedUnits() {
        for (Score score : Score.values()) {
            for (Target target : Target.values()) {
                for (int unit = 0; unit < 2; unit++) {
                    PruneOptions o = PruneOptions.builder().ratio(0.2).score(score).target(target).batchSize(500).iterations(10).earlyStop(false).build();
                    UnitData ctx = Fixtures.unit(model, unit, calibration, o);
                    UnitStatistics stats = UnitStatistics.gather(ctx);
                    UnitStatistics nativeStats;
                    try (StatisticsAccumulator acc = Backends.cpu().statistics(ctx.groups(), true)) {
                        nativeStats = UnitStatistics.gather(ctx, acc);
                    }
                    try (DirectOracle direct = new DirectOracle(ctx, score);
                         StatisticsOracle fast = new StatisticsOracle(stats, ctx.bWeight(), score);
                         NativeOracle cpu = new NativeOracle(Backends.cpu().unit(nativeStats.inputs(), score), nativeStats)) {
                        IspaspSelector.Loop a = IspaspSelector.run(direct, ctx.keep(), o.iterations(), false);
                        IspaspSelector.Loop b = IspaspSelector.run(fast, ctx.keep(), o.iterations(), false);
                        IspaspSelector.Loop c = cpu.run(ctx.keep(), o.iterations(), false);
                        String what = score + "/" + target + "/unit " + unit;
                        assertArrayEquals(a.support(), b.support(), what);
                        assertArrayEquals(a.support(), c.support(), what + " (C++ kernels)");
                        StatisticsMatchesDirectTest.assertClose(a.residuals(), c.residuals(), 1e-4, what + " residuals (C++ kernels)");
                        StatisticsMatchesDirectTest.assertClose(a.residuals(), b.residuals(), 1e-4, what + " residuals");
                        double[] empty = direct.evaluate(new int[0], true).scores();
                        StatisticsMatchesDirectTest.assertClose(direct.evaluate(a.support(), true).scores(),
                                fast.evaluate(a.support(), true).scores(), 1e-4, io.ispasp.bench.RawUnit.maxAbs(empty), what + " scores");
                    }
                }
            }
        }
    }
}
