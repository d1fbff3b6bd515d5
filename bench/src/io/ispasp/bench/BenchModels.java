package io.ispasp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.train.Evaluator;
import io.ispasp.train.TrainConfig;
import io.ispasp.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The trained MNIST MLPs the benchmarks use: trained once (3 epochs, seed 0) and cached under runs/bench/. */
final class BenchModels {
    private static final Logger LOG = LoggerFactory.getLogger(BenchModels.class);

    private BenchModels() {}

    static Mlp trained(int[] sizes, Dataset train, Dataset test, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = "mlp-" + String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toArray(String[]::new)) + "-e3.ckpt";
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) {
            LOG.info("using cached {}", file);
            return MlpCheckpoint.load(file);
        }
        LOG.info("training {} for 3 epochs", Arrays.toString(sizes));
        Mlp m = Mlp.random(sizes, 0);
        new Trainer(TrainConfig.defaults().withEpochs(3)).train(m, train);
        LOG.info("{}: test accuracy {}", name, Evaluator.accuracy(m, test, 1000));
        MlpCheckpoint.save(m, file);
        return m;
    }
}
