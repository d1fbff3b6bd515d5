package io.ispasp.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.core.Method;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.modelfile.ModelFile;

/**
 * What a service does, in a service's order, through the public API only and without ever calling
 * {@code TorchRuntime.init()}: calibration data from float arrays first, then a random MLP, a job, run, save, and
 * the saved file read back. {@link ColdStartTest} runs it in a fresh JVM on an empty JavaCPP cache.
 * Usage: {@code ColdStartService OUT_FILE}.
 */
public final class ColdStartService {
    private ColdStartService() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        SplittableRandom rnd = new SplittableRandom(3);
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            float[] x = new float[20];
            for (int j = 0; j < x.length; j++) x[j] = (float) rnd.nextGaussian();
            samples.add(x);
        }
        CalibrationData data = CalibrationData.ofArrays(samples.iterator(), 20);
        Network mlp = Network.random(Mlp.relu(20, 16, 4), 7);
        try (PruningJob job = PruningJob.builder().model(mlp).calibration(data).method(Method.ISPASP).ratio(0.5).build()) {
            PruningResult result = job.run();
            result.save(out);
            System.out.println("pruned " + result.report().method() + " units " + result.report().units().size());
        } finally {
            mlp.close();
        }
        try (Network back = ModelFile.load(out)) {
            System.out.println("saved " + Files.size(out) + " bytes, hidden " + back.unit(0).groups());
        }
    }
}
