package io.ispasp.bench;

import java.io.IOException;
import java.nio.file.Path;

import io.ispasp.data.Dataset;
import io.ispasp.data.Mnist;
import io.ispasp.data.MnistFetcher;

/** MNIST for the benchmarks, fetched into datasets/mnist (under ispasp.home or the cwd) when missing. */
final class BenchData {
    final Dataset train;
    final Dataset test;

    private BenchData(Dataset train, Dataset test) {
        this.train = train;
        this.test = test;
    }

    static BenchData load() throws IOException {
        Path dir = MnistFetcher.defaultDir();
        MnistFetcher.ensure(dir);
        return new BenchData(Mnist.load(dir, true), Mnist.load(dir, false));
    }

    static Path runsDir() {
        return MnistFetcher.home().resolve("runs/bench");
    }

    static Path resultsDir() {
        return MnistFetcher.home().resolve("bench/results");
    }
}
