package io.ispasp.prune;

import java.util.SplittableRandom;

import io.ispasp.core.PruneOptions;
import io.ispasp.data.Dataset;
import io.ispasp.job.DataCalibration;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;

/** Random models and data for pruning tests. */
final class Fixtures {
    private Fixtures() {}

    /** Gaussian features, uniform labels. */
    static Dataset gaussian(int rows, int features, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) x[i] = (float) gauss(r);
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(classes);
        return new Dataset(x, y, features, classes);
    }

    static double gauss(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A random ReLU MLP. */
    static Network mlp(long seed, int... sizes) {
        return Network.random(Mlp.relu(sizes), seed);
    }

    /** Unit {@code unit} of {@code model} on all of {@code data}, keeping {@code options.keep(N)} groups. */
    static UnitData unit(Network model, int unit, Dataset data, PruneOptions options) {
        return unit(model, model, unit, data, options);
    }

    static UnitData unit(Network model, Network original, int unit, Dataset data, PruneOptions options) {
        return new UnitData(model, original, unit, options.keep(model.unit(unit).groups()), DataCalibration.of(data, true), options);
    }
}
