package io.ispasp.text;

import java.util.Arrays;

import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * How closely a pruned encoder's sentence embeddings follow the dense one's: the embedding of a sentence is the mean
 * of its real tokens' last hidden states, L2-normalised (sentence-transformers' mean pooling, which all-MiniLM-L6-v2
 * uses). Per sentence the cosine of pruned to dense embedding (mean and 5th percentile over the sentences), and
 * neighbour agreement: recall@k of each sentence's k nearest neighbours under the dense model (cosine, itself
 * excluded) among the pruned model's k nearest.
 *
 * @param sentences  sentences compared
 * @param cosineMean mean cosine similarity of pruned to dense embeddings
 * @param cosineP5   its 5th percentile (the worst sentences)
 * @param k          neighbours compared
 * @param recall     mean recall@k of the dense neighbours
 */
public record EmbeddingAgreement(int sentences, double cosineMean, double cosineP5, int k, double recall) {

    /** The embeddings of every sentence, [sentences][hidden], normalised; batches of similar length. */
    public static float[][] embed(Network net, Sentences s, int batch) {
        int n = s.size();
        int[] order = s.byLength();
        float[][] out = new float[n][];
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < n; from += batch) {
                int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batch));
                try (PointerScope scope = new PointerScope()) {
                    Tensor ids = s.batch(rows);
                    Tensor mask = ids.ge(new Scalar(0L)).to(torch.ScalarType.Float).unsqueeze(-1);   // [b, seq, 1]
                    Tensor pooled = net.forward(ids).mul(mask).sum(new long[] {1}).div(mask.sum(new long[] {1}));
                    Tensor unit = pooled.div(pooled.norm(new org.bytedeco.pytorch.ScalarOptional(new Scalar(2.0)), new long[] {1}, true)
                            .clamp_min(new Scalar(1e-12)));
                    float[] flat = Tensors.floats(unit.contiguous());
                    int h = (int) unit.size(1);
                    for (int i = 0; i < rows.length; i++) out[rows[i]] = Arrays.copyOfRange(flat, i * h, (i + 1) * h);
                }
            }
        }
        return out;
    }

    /** The agreement of {@code pruned} with {@code dense} embeddings (both normalised, same sentences). */
    public static EmbeddingAgreement of(float[][] dense, float[][] pruned, int k) {
        int n = dense.length;
        if (pruned.length != n) throw new IllegalArgumentException(n + " dense and " + pruned.length + " pruned embeddings");
        if (k < 1 || k >= n) throw new IllegalArgumentException("neighbours k=" + k + " needs more than k sentences, have " + n);
        double[] cos = new double[n];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < dense[i].length; j++) dot += (double) dense[i][j] * pruned[i][j];
            cos[i] = dot;
        }
        double mean = Arrays.stream(cos).average().orElse(Double.NaN);
        double[] sorted = cos.clone();
        Arrays.sort(sorted);
        double p5 = sorted[(int) Math.floor(0.05 * (n - 1))];
        long hits = 0;
        try (PointerScope scope = new PointerScope()) {
            long[] a = neighbours(dense, k), b = neighbours(pruned, k);
            for (int i = 0; i < n; i++) {
                for (int x = 0; x < k; x++) {
                    for (int y = 0; y < k; y++) if (a[i * k + x] == b[i * k + y]) { hits++; break; }
                }
            }
        }
        return new EmbeddingAgreement(n, mean, p5, k, hits / (double) ((long) n * k));
    }

    /** Each sentence's k nearest others by cosine, [n * k] row-major. */
    private static long[] neighbours(float[][] e, int k) {
        int n = e.length, h = e[0].length;
        float[] flat = new float[n * h];
        for (int i = 0; i < n; i++) System.arraycopy(e[i], 0, flat, i * h, h);
        Tensor m = Tensors.of(flat, n, h);
        Tensor sim = m.mm(m.t());
        sim.fill_diagonal_(new Scalar(Double.NEGATIVE_INFINITY));
        org.bytedeco.pytorch.T_TensorTensor_T top = sim.topk(k, 1, true, true);
        return Tensors.longs(top.get1().contiguous());
    }
}
