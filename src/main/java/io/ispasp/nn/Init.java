package io.ispasp.nn;

import java.util.Arrays;
import java.util.Random;

/** The initial values torchvision and PyTorch give, as plain arrays for {@link Architecture#initial}. */
public final class Init {
    private Init() {}

    /** BN running statistics, BN weight and bias, and the counter: var and weight 1, the rest 0. */
    public static float[] batchNorm(String name, long[] shape) {
        float[] v = new float[(int) count(shape)];
        if (name.endsWith("running_var") || name.endsWith(".weight")) Arrays.fill(v, 1f);
        return v;
    }

    /** Kaiming normal, fan-out, ReLU gain: torchvision's conv initialisation. */
    public static float[] kaimingFanOut(long[] shape, Random rnd) {
        long fanOut = shape[0];
        for (int i = 2; i < shape.length; i++) fanOut *= shape[i];
        double std = Math.sqrt(2.0 / fanOut);
        float[] v = new float[(int) count(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    /** PyTorch's default Linear initialisation: uniform in +-1/sqrt(fanIn), weight and bias alike. */
    public static float[] uniformFanIn(long[] shape, long fanIn, Random rnd) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] v = new float[(int) count(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        return v;
    }

    /** Normal(0, std); zeros when std is 0. */
    public static float[] normal(long[] shape, double std, Random rnd) {
        float[] v = new float[(int) count(shape)];
        if (std != 0) for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    public static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
