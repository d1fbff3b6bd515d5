package io.ispasp.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.api.CalibrationData;
import io.ispasp.api.PruningJob;
import io.ispasp.api.PruningResult;
import io.ispasp.core.Method;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;

/**
 * An embedding service's save: a job prunes a random 784-256-10 MLP and {@link PruningResult#save} writes it to
 * {@code OUT}. Prints {@code caught: MESSAGE} and exits 3 when the save throws an IOException, 0 when it succeeds.
 * {@link FileSystemFaultsTest} runs it on a full file system. Usage: {@code SaveOnFullDisk OUT}.
 */
public final class SaveOnFullDisk {
    private SaveOnFullDisk() {}

    public static void main(String[] args) throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            float[] x = new float[784];
            for (int j = 0; j < x.length; j++) x[j] = (float) rnd.nextGaussian();
            samples.add(x);
        }
        Network mlp = Network.random(Mlp.relu(784, 256, 10), 7);
        try (PruningJob job = PruningJob.builder().model(mlp).calibration(CalibrationData.ofArrays(samples.iterator(), 784))
                .method(Method.MAGNITUDE).ratio(0.9).build()) {
            PruningResult result = job.run();
            try {
                result.save(Path.of(args[0]));
            } catch (IOException e) {
                System.out.println("caught: " + e.getMessage());
                System.exit(3);
            }
        } finally {
            mlp.close();
        }
    }
}
