package io.ispasp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.ispasp.data.Dataset;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.train.NetworkEvaluator;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trained MNIST MLPs the benchmarks use: trained once (3 epochs, seed 0) and cached under runs/bench/ (older
 * caches in the legacy MLP checkpoint format are read as they are).
 */
final class BenchModels {
    private static final Logger LOG = LoggerFactory.getLogger(BenchModels.class);

    private BenchModels() {}

    /** A ReLU MLP of {@code sizes} trained on {@code train}; the caller closes it. */
    static Network trained(int[] sizes, Dataset train, Dataset test, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = "mlp-" + String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toArray(String[]::new)) + "-e3.ckpt";
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) {
            LOG.info("using cached {}", file);
            return NetworkCheckpoint.load(file);
        }
        LOG.info("training {} for 3 epochs", Arrays.toString(sizes));
        Network m = Network.random(Mlp.relu(sizes), 0);
        try {
            new NetworkTrainer(NetworkTrainConfig.mlp().withEpochs(3)).train(m, train);
            LOG.info("{}: test accuracy {}", name, NetworkEvaluator.accuracy(m, test, 1000));
            NetworkCheckpoint.save(m, file);
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }
}
