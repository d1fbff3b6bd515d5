package io.ispasp.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.core.PruneOptions;
import io.ispasp.data.Dataset;
import io.ispasp.engine.Tensors;
import io.ispasp.job.DataCalibration;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import org.bytedeco.pytorch.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import io.ispasp.prune.UnitData;

/** Small nets, data and a plain-Java float64 forward pass shared by the baseline tests. */
final class Fixtures {
    private Fixtures() {}

    /** A data set together with the raw arrays it was built from (the oracles read those). */
    record Data(float[] x, int[] y, Dataset set) {
        double[] row(int r) {
            int f = set.featureSize();
            double[] out = new double[f];
            for (int i = 0; i < f; i++) out[i] = x[r * f + i];
            return out;
        }
    }

    /** {@code rows} Gaussian feature rows with uniformly random labels, seeded. */
    static Data randomData(int rows, int features, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) gaussian(rnd);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = rnd.nextInt(classes);
        return new Data(x, y, new Dataset(x.clone(), y.clone(), features, classes));
    }

    static UnitData context(Network model, int unit, Dataset data, PruneOptions options) {
        return new UnitData(model, model, unit, options.keep(model.unit(unit).groups()), DataCalibration.of(data, true), options);
    }

    /** A random ReLU MLP. */
    static Network mlp(int[] sizes, long seed) {
        return Network.random(Mlp.relu(sizes), seed);
    }

    /** A ReLU MLP with the given row-major weights and biases per layer. */
    static Network mlp(int[] sizes, List<float[]> w, List<float[]> b) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            state.put(2 * l + ".weight", Tensors.of(w.get(l), sizes[l + 1], sizes[l]));
            state.put(2 * l + ".bias", Tensors.of(b.get(l), sizes[l + 1]));
        }
        return Network.fromState(Mlp.relu(sizes), state);
    }

    /** Ratio that makes {@code PruneOptions.keep(n)} return exactly s. */
    static double ratioFor(int s, int n) {
        return (double) s / n;
    }

    /** Plain float64 parameters of a ReLU MLP (read once, so the oracle never touches libtorch afterwards). */
    static final class Net {
        final int[] sizes;
        final List<double[]> w = new ArrayList<>();
        final List<double[]> b = new ArrayList<>();

        Net(Network m) {
            sizes = ((Mlp) m.architecture()).sizes();
            for (int l = 0; l + 1 < sizes.length; l++) {
                w.add(toDouble(Tensors.floats(m.tensor(2 * l + ".weight"))));
                b.add(toDouble(Tensors.floats(m.tensor(2 * l + ".bias"))));
            }
        }

        int layers() { return sizes.length - 1; }

        /** y = W_l x + b_l. */
        double[] affine(double[] x, int l) {
            int in = sizes[l], out = sizes[l + 1];
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double acc = b.get(l)[o];
                for (int i = 0; i < in; i++) acc += w.get(l)[o * in + i] * x[i];
                y[o] = acc;
            }
            return y;
        }

        /** Input of hidden layer {@code unit} (post-ReLU output of the layers before it). */
        double[] unitInput(double[] x, int unit) {
            double[] h = x;
            for (int l = 0; l < unit; l++) h = relu(affine(h, l));
            return h;
        }

        /** Logits with hidden layer {@code unit}'s post-ReLU activations multiplied element-wise by {@code mask}. */
        double[] maskedLogits(double[] x, int unit, double[] mask) {
            double[] h = relu(affine(unitInput(x, unit), unit));
            for (int c = 0; c < h.length; c++) h[c] *= mask[c];
            for (int l = unit + 1; l < layers(); l++) {
                h = affine(h, l);
                if (l + 1 < layers()) h = relu(h);
            }
            return h;
        }
    }

    /** Mean cross-entropy of logits against labels, computed stably. */
    static double crossEntropy(double[][] logits, int[] labels) {
        double sum = 0;
        for (int r = 0; r < logits.length; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[r]) max = Math.max(max, v);
            double z = 0;
            for (double v : logits[r]) z += Math.exp(v - max);
            sum += max + Math.log(z) - logits[r][labels[r]];
        }
        return sum / logits.length;
    }

    static double[] relu(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.max(0, v[i]);
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
