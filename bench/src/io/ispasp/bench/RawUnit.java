package io.ispasp.bench;

import java.util.SplittableRandom;

import io.ispasp.core.Score;
import io.ispasp.kernels.UnitInputs;

/**
 * A unit given by its raw data, with the slow obvious float64 answers (the reference of the kernel tests and of
 * {@link GpuCheck}): rows h_p (n), targets z_p (out), B's weight
 * W [out x n]. The residual of a support S is R_p = z_p - W (m o h_p) (m = mask of S) and G_p = W^T R_p, so
 * signed-sum = sum_p G_p, group-norm = sqrt(sum_p G_p^2), correlation = sum_p h_p o G_p, ||R||^2 = sum_p ||R_p||^2.
 */
public final class RawUnit {
    public final int rows, n, out;
    public final float[] h;        // rows x n
    public final double[] z;       // rows x out
    public final double[] w;       // out x n
    public final boolean original; // z given (ORIGINAL target) or z = W h (CURRENT)

    public RawUnit(int rows, int n, int out, boolean original, long seed, int duplicateGroups) {
        this.rows = rows;
        this.n = n;
        this.out = out;
        this.original = original;
        SplittableRandom r = new SplittableRandom(seed);
        h = new float[rows * n];
        for (int p = 0; p < rows; p++) {
            for (int i = 0; i < n; i++) h[p * n + i] = (float) Math.max(0, r.nextGaussian() + 0.3);  // ReLU-like, with zeros
            // the last groups copy the first ones: equal mass, so the tie rule decides
            for (int d = 0; d < duplicateGroups && d + duplicateGroups < n; d++) h[p * n + n - 1 - d] = h[p * n + d];
        }
        w = new double[out * n];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian() / Math.sqrt(n);
        z = new double[rows * out];
        for (int p = 0; p < rows; p++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int i = 0; i < n; i++) acc += w[o * n + i] * h[p * n + i];
                z[p * out + o] = original ? acc + 0.5 * r.nextGaussian() : acc;
            }
        }
    }

    public double[] mass() {
        double[] a = new double[n];
        for (int p = 0; p < rows; p++) for (int i = 0; i < n; i++) a[i] += h[p * n + i];
        return a;
    }

    public double[] gram() {
        double[] g = new double[n * n];
        for (int p = 0; p < rows; p++)
            for (int i = 0; i < n; i++) {
                double hi = h[p * n + i];
                if (hi == 0) continue;
                for (int j = 0; j < n; j++) g[i * n + j] += hi * h[p * n + j];
            }
        return g;
    }

    /** Exact float64 inputs for a unit kernel (the target statistics only for ORIGINAL). */
    public UnitInputs inputs(double[] gram, double[] mass) {
        if (!original) return UnitInputs.current(n, out, gram, mass, w);
        double[] cross = new double[n * out], zsum = new double[out], szz = new double[out * out];
        double zz = 0;
        for (int p = 0; p < rows; p++) {
            for (int o = 0; o < out; o++) {
                double zo = z[p * out + o];
                zsum[o] += zo;
                zz += zo * zo;
                for (int q = 0; q < out; q++) szz[o * out + q] += zo * z[p * out + q];
                for (int i = 0; i < n; i++) cross[i * out + o] += h[p * n + i] * zo;
            }
        }
        return new UnitInputs(n, out, gram, mass, w, cross, zsum, szz, zz);
    }

    /** Scores (group-norm squared, to compare without sqrt's cancellation) and ||R||^2 for support s. */
    public double[] scores(int[] support, Score score, double[] residualOut) {
        boolean[] kept = new boolean[n];
        for (int i : support) kept[i] = true;
        double[] g = new double[n];
        double res = 0;
        double[] rp = new double[out];
        for (int p = 0; p < rows; p++) {
            for (int o = 0; o < out; o++) {
                double acc = z[p * out + o];
                for (int i = 0; i < n; i++) if (kept[i]) acc -= w[o * n + i] * h[p * n + i];
                rp[o] = acc;
                res += acc * acc;
            }
            for (int i = 0; i < n; i++) {
                double gi = 0;
                for (int o = 0; o < out; o++) gi += w[o * n + i] * rp[o];
                g[i] += switch (score) {
                    case SIGNED_SUM -> gi;
                    case GROUP_NORM -> gi * gi;
                    case CORRELATION -> h[p * n + i] * gi;
                };
            }
        }
        residualOut[0] = res;
        return g;
    }

    /** k distinct groups of n drawn at random, ascending. */
    public static int[] randomSupport(SplittableRandom r, int n, int k) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        int[] s = java.util.Arrays.copyOf(p, k);
        java.util.Arrays.sort(s);
        return s;
    }

    /** Element-wise squares (group-norm scores are compared squared: no sqrt near zero). */
    public static double[] squares(double[] g) {
        double[] s = new double[g.length];
        for (int i = 0; i < g.length; i++) s[i] = g[i] * g[i];
        return s;
    }

    public static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
