package io.ispasp.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.pytorch.Tensor;

/**
 * A ReLU multi-layer perceptron: {@code sizes = [in, h1, ..., hk, out]}, layer {@code l} maps sizes[l] to
 * sizes[l+1] with weight [out, in] and bias [out]; every layer but the last is followed by ReLU. The hidden
 * layers are the prunable units: unit {@code l} has A = layer l + ReLU and B = layer l+1.
 * <p>Parameters are CPU float32 tensors owned by this object; an MLP may be built inside a {@code PointerScope}
 * and outlives it. {@link #close()} frees them at once; an MLP that is not closed is freed by the garbage
 * collector. Not thread-safe while training; read-only use (forward passes) from several threads is safe.
 */
public final class Mlp implements AutoCloseable {
    private final int[] sizes;
    private final Tensor[] weights;
    private final Tensor[] biases;
    private final int firstModule;

    /** Builds from row-major float arrays; {@code weights.get(l)} has sizes[l+1] x sizes[l] entries. */
    public Mlp(int[] sizes, List<float[]> weights, List<float[]> biases) {
        this(sizes, weights, biases, 0);
    }

    /**
     * As {@link #Mlp(int[], List, List)}, for an MLP whose {@code nn.Sequential} form starts with
     * {@code firstModule} = 1 parameter-free module (an {@code nn.Flatten}) before the first Linear; 0 otherwise.
     * It only names the modules (Linear {@code l} is child {@code firstModule + 2l}) and makes the TorchScript
     * export flatten its input; the maths is the same.
     */
    public Mlp(int[] sizes, List<float[]> weights, List<float[]> biases, int firstModule) {
        TorchRuntime.init();
        if (firstModule != 0 && firstModule != 1) throw new IllegalArgumentException("first module must be 0 or 1, got " + firstModule);
        this.firstModule = firstModule;
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least input and output sizes");
        for (int s : sizes) if (s <= 0) throw new IllegalArgumentException("layer sizes must be positive: " + Arrays.toString(sizes));
        int layers = sizes.length - 1;
        if (weights.size() != layers || biases.size() != layers) {
            throw new IllegalArgumentException("expected " + layers + " weight and bias arrays");
        }
        this.sizes = sizes.clone();
        this.weights = new Tensor[layers];
        this.biases = new Tensor[layers];
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            // the scope frees the helper objects of tensor creation; the parameters outlive it
            fill(sizes, weights, biases);
        }
    }

    private void fill(int[] sizes, List<float[]> weights, List<float[]> biases) {
        for (int l = 0; l < this.weights.length; l++) {
            float[] w = weights.get(l), b = biases.get(l);
            if (w.length != (long) sizes[l + 1] * sizes[l] || b.length != sizes[l + 1]) {
                throw new IllegalArgumentException("layer " + l + " has wrong parameter sizes for " + sizes[l] + " -> " + sizes[l + 1]);
            }
            for (float v : w) if (!Float.isFinite(v)) throw new IllegalArgumentException("layer " + l + " weight holds a non-finite value");
            for (float v : b) if (!Float.isFinite(v)) throw new IllegalArgumentException("layer " + l + " bias holds a non-finite value");
            this.weights[l] = outliveScopes(Tensors.of(w.clone(), sizes[l + 1], sizes[l]));
            this.biases[l] = outliveScopes(Tensors.of(b.clone(), sizes[l + 1]));
        }
    }

    /** PyTorch's default Linear initialisation (uniform in +-1/sqrt(fan_in)), seeded. */
    public static Mlp random(int[] sizes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            double bound = 1.0 / Math.sqrt(sizes[l]);
            float[] wl = new float[sizes[l + 1] * sizes[l]];
            float[] bl = new float[sizes[l + 1]];
            for (int i = 0; i < wl.length; i++) wl[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            for (int i = 0; i < bl.length; i++) bl[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            w.add(wl);
            b.add(bl);
        }
        return new Mlp(sizes, w, b);
    }

    public int[] sizes() { return sizes.clone(); }

    public int inputSize() { return sizes[0]; }

    public int outputSize() { return sizes[sizes.length - 1]; }

    /** Number of Linear layers. */
    public int layers() { return weights.length; }

    /** Number of hidden layers, which is the number of prunable units. */
    public int hiddenLayers() { return weights.length - 1; }

    /** Width of hidden layer {@code unit} (its group count). */
    public int hiddenSize(int unit) {
        checkUnit(unit);
        return sizes[unit + 1];
    }

    public Tensor weight(int layer) { return weights[layer]; }

    public Tensor bias(int layer) { return biases[layer]; }

    public float[] weightArray(int layer) { return Tensors.floats(weights[layer]); }

    public float[] biasArray(int layer) { return Tensors.floats(biases[layer]); }

    /** All parameters in order w0, b0, w1, b1, ... */
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            p.add(weights[l]);
            p.add(biases[l]);
        }
        return p;
    }

    /** Logits for a batch [n, in]. */
    public Tensor forward(Tensor x) {
        return forwardFrom(x, 0);
    }

    /** Runs layers {@code first..end} on {@code x} (the input of layer {@code first}); returns the logits. */
    public Tensor forwardFrom(Tensor x, int first) {
        Tensor h = x;
        for (int l = first; l < weights.length; l++) {
            h = linear(h, l);
            if (l + 1 < weights.length) h = h.relu();
        }
        return h;
    }

    /** Input of layer {@code layer} (post-ReLU output of layer-1; the data itself for layer 0). */
    public Tensor inputOf(Tensor x, int layer) {
        Tensor h = x;
        for (int l = 0; l < layer; l++) h = linear(h, l).relu();
        return h;
    }

    /** The affine map of layer {@code l}: x W^T + b. */
    public Tensor linear(Tensor x, int l) {
        return x.mm(weights[l].t()).add(biases[l]);
    }

    /** Parameter count (weights and biases). */
    public long params() {
        long p = 0;
        for (int l = 0; l + 1 < sizes.length; l++) p += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
        return p;
    }

    /** Multiply-adds for one input (fvcore convention: one MAC counts as one FLOP; bias and ReLU not counted). */
    public long flops() {
        long f = 0;
        for (int l = 0; l + 1 < sizes.length; l++) f += (long) sizes[l] * sizes[l + 1];
        return f;
    }

    /** A deep copy. */
    public Mlp copy() {
        List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            w.add(weightArray(l));
            b.add(biasArray(l));
        }
        return new Mlp(sizes, w, b, firstModule);
    }

    /** Child index of Linear {@code layer} in the model's {@code nn.Sequential} form: {@code firstModule + 2 layer}. */
    public int moduleIndex(int layer) { return firstModule + 2 * layer; }

    /** 1 when the {@code nn.Sequential} form starts with an {@code nn.Flatten}, else 0. */
    public int firstModule() { return firstModule; }

    /**
     * Surgery on unit {@code unit}: a new, physically smaller MLP that keeps only the hidden groups {@code kept}
     * (rows of layer {@code unit} and its bias entries, columns of layer {@code unit+1}). The kept columns of
     * the next layer are multiplied by {@code columnScale}, or replaced by {@code nextWeight} (shape
     * [sizes[unit+2], kept.length], row-major) when it is not null (a refit).
     */
    public Mlp prune(int unit, int[] kept, float[] nextWeight, float columnScale) {
        checkUnit(unit);
        int n = sizes[unit + 1];
        if (kept.length == 0) throw new IllegalArgumentException("unit " + unit + ": at least one group must be kept");
        boolean[] seen = new boolean[n];
        for (int k : kept) {
            if (k < 0 || k >= n || seen[k]) throw new IllegalArgumentException("unit " + unit + ": bad kept index " + k);
            seen[k] = true;
        }
        int s = kept.length, in = sizes[unit], out = sizes[unit + 2];
        int[] newSizes = sizes.clone();
        newSizes[unit + 1] = s;
        List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            float[] wl = weightArray(l), bl = biasArray(l);
            if (l == unit) {
                float[] nw = new float[s * in], nb = new float[s];
                for (int i = 0; i < s; i++) {
                    System.arraycopy(wl, kept[i] * in, nw, i * in, in);
                    nb[i] = bl[kept[i]];
                }
                wl = nw;
                bl = nb;
            } else if (l == unit + 1) {
                float[] nw;
                if (nextWeight != null) {
                    if (nextWeight.length != out * s) throw new IllegalArgumentException("refit weight has wrong size");
                    nw = nextWeight.clone();
                } else {
                    nw = new float[out * s];
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < s; i++) nw[o * s + i] = wl[o * n + kept[i]] * columnScale;
                    }
                }
                wl = nw;
            }
            w.add(wl);
            b.add(bl);
        }
        return new Mlp(newSizes, w, b, firstModule);
    }

    /** Releases the parameter tensors now instead of at garbage collection; the MLP is unusable afterwards. */
    @Override
    public void close() {
        for (int l = 0; l < weights.length; l++) {
            if (weights[l] != null) weights[l].releaseReference();
            if (biases[l] != null) biases[l].releaseReference();
            weights[l] = null;
            biases[l] = null;
        }
    }

    /**
     * Parameters must live as long as this object, even when it is built inside a {@code PointerScope} (a
     * pruning or training step): the extra reference keeps the scope's close from freeing the tensor; the
     * garbage collector still frees it once this MLP is unreachable.
     */
    private static Tensor outliveScopes(Tensor t) {
        t.retainReference();
        return t;
    }

    private void checkUnit(int unit) {
        if (unit < 0 || unit >= hiddenLayers()) {
            throw new IllegalArgumentException("unit " + unit + " does not exist: this MLP has " + hiddenLayers() + " hidden layers");
        }
    }
}
