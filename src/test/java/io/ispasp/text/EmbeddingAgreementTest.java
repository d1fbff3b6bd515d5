package io.ispasp.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;

import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cosine and neighbour agreement against a plain double-loop computation on random unit vectors. */
class EmbeddingAgreementTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void identicalEmbeddingsAgreeFully() {
        float[][] e = random(40, 8, 1);
        EmbeddingAgreement a = EmbeddingAgreement.of(e, e, 5);
        assertEquals(1.0, a.cosineMean(), 1e-6);
        assertEquals(1.0, a.cosineP5(), 1e-6);
        assertEquals(1.0, a.recall(), 0.0);
    }

    @Test
    void noisyEmbeddingsMatchABruteForceCount() {
        int n = 60, h = 6, k = 4;
        float[][] dense = random(n, h, 2), noisy = new float[n][h];
        Random rnd = new Random(3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < h; j++) noisy[i][j] = dense[i][j] + (float) (0.3 * rnd.nextGaussian());
            normalise(noisy[i]);
        }
        EmbeddingAgreement a = EmbeddingAgreement.of(dense, noisy, k);
        double[] cos = new double[n];
        long hits = 0;
        for (int i = 0; i < n; i++) {
            cos[i] = dot(dense[i], noisy[i]);
            int[] na = nearest(dense, i, k), nb = nearest(noisy, i, k);
            for (int x : na) for (int y : nb) if (x == y) hits++;
        }
        assertEquals(Arrays.stream(cos).average().orElseThrow(), a.cosineMean(), 1e-6);
        double[] sorted = cos.clone();
        Arrays.sort(sorted);
        assertEquals(sorted[(int) Math.floor(0.05 * (n - 1))], a.cosineP5(), 1e-6);
        assertEquals(hits / (double) (n * k), a.recall(), 1e-12);
    }

    private static int[] nearest(float[][] e, int i, int k) {
        Integer[] idx = new Integer[e.length];
        for (int j = 0; j < idx.length; j++) idx[j] = j;
        Arrays.sort(idx, (a, b) -> Double.compare(dot(e[i], e[b]), dot(e[i], e[a])));
        return Arrays.stream(idx).filter(j -> j != i).limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static float[][] random(int n, int h, long seed) {
        Random rnd = new Random(seed);
        float[][] e = new float[n][h];
        for (float[] row : e) {
            for (int j = 0; j < h; j++) row[j] = (float) rnd.nextGaussian();
            normalise(row);
        }
        return e;
    }

    private static void normalise(float[] v) {
        double s = Math.sqrt(dot(v, v));
        for (int j = 0; j < v.length; j++) v[j] /= (float) s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += (double) a[j] * b[j];
        return s;
    }
}
