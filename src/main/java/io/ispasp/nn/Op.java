package io.ispasp.nn;

import java.util.List;
import java.util.Locale;

import io.ispasp.engine.Convolution;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * One step of a {@link Program}: reads named registers, writes register {@link #out()}. Parameters are looked up in
 * the network's state by module path ({@code layer1.0.conv1} + {@code .weight}), so a program never holds a width:
 * a pruned network runs the same program over a smaller state. Each op runs on libtorch, writes itself as one line of
 * TorchScript, and propagates a per-sample shape for FLOPs and shape checks ({@link Complexity}).
 */
public sealed interface Op {
    /** The register this op writes. */
    String out();

    /** The registers this op reads. */
    List<String> inputs();

    /** The module path whose tensors this op uses, or null. */
    default String module() { return null; }

    /** Runs the op; {@code training} selects batch statistics for BN and active dropout. */
    Tensor run(Registers r, State s, boolean training);

    /** This op as TorchScript; {@code s} gives the tensors whose shapes fix literal arguments (groups). */
    String script(State s);

    /** Read access to the network's tensors by full name. */
    interface State {
        Tensor tensor(String name);

        boolean has(String name);
    }

    /** The live registers of a running program. */
    interface Registers {
        Tensor get(String name);
    }

    /**
     * A 2-D convolution, weight {@code module.weight} [out, in/groups, k, k], optional bias. A depthwise conv has one
     * group per channel (groups = weight.size(0)), so pruning its channels keeps it depthwise.
     */
    record Conv(String out, String in, String module, int stride, int pad, boolean depthwise, boolean bias) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor w = s.tensor(module + ".weight");
            long groups = depthwise ? w.size(0) : 1;
            return Convolution.conv2d(r.get(in), w, bias ? s.tensor(module + ".bias") : null, stride, pad, groups);
        }

        public String script(State s) {
            long groups = depthwise ? s.tensor(module + ".weight").size(0) : 1;
            String m = Program.moduleExpression(module);
            return String.format(Locale.ROOT, "%s = torch.conv2d(%s, %s.weight, %s, [%d, %d], [%d, %d], [1, 1], %d)",
                    out, in, m, bias ? m + ".bias" : "None", stride, stride, pad, pad, groups);
        }
    }

    /** BatchNorm (1-D or 2-D) with running statistics; eps 1e-5, momentum 0.1 (PyTorch's defaults). */
    record BatchNorm(String out, String in, String module) implements Op {
        public static final double EPS = 1e-5;
        public static final double MOMENTUM = 0.1;

        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            if (training) {
                try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                    s.tensor(module + ".num_batches_tracked").add_(new Scalar(1L));
                }
            }
            return torch.batch_norm(r.get(in), new TensorOptional(s.tensor(module + ".weight")),
                    new TensorOptional(s.tensor(module + ".bias")), new TensorOptional(s.tensor(module + ".running_mean")),
                    new TensorOptional(s.tensor(module + ".running_var")), training, MOMENTUM, EPS, false);
        }

        public String script(State s) {
            String m = Program.moduleExpression(module);
            return String.format(Locale.ROOT, "%s = torch.batch_norm(%s, %s.weight, %s.bias, %s.running_mean, %s.running_var, "
                    + "self.training, 0.1, 1e-05, True)", out, in, m, m, m, m);
        }
    }

    /** A fully connected layer, weight [out, in], optional bias. */
    record Linear(String out, String in, String module, boolean bias) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            TensorOptional b = bias ? new TensorOptional(s.tensor(module + ".bias")) : new TensorOptional();
            return torch.linear(r.get(in), s.tensor(module + ".weight"), b);
        }

        public String script(State s) {
            String m = Program.moduleExpression(module);
            return out + " = torch.linear(" + in + ", " + m + ".weight, " + (bias ? m + ".bias" : "None") + ")";
        }
    }

    /** An elementwise activation; {@code slope} is LeakyReLU's negative slope (ignored by the others). */
    record Act(String out, String in, Activation kind, double slope) implements Op {
        public Act(String out, String in, Activation kind) { this(out, in, kind, 0.01); }

        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) { return kind.apply(r.get(in), slope); }

        public String script(State s) { return out + " = " + kind.script(in, slope); }
    }

    /** Max pooling, square window; dilation 1, floor mode. */
    record MaxPool(String out, String in, int kernel, int stride, int pad) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            return torch.max_pool2d(r.get(in), new long[] {kernel, kernel}, new long[] {stride, stride},
                    new long[] {pad, pad}, new long[] {1, 1}, false);
        }

        public String script(State s) {
            return String.format(Locale.ROOT, "%s = torch.max_pool2d(%s, [%d, %d], [%d, %d], [%d, %d], [1, 1], False)",
                    out, in, kernel, kernel, stride, stride, pad, pad);
        }
    }

    /** Adaptive average pooling to a {@code size x size} map. */
    record AvgPool(String out, String in, int size) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) { return torch.adaptive_avg_pool2d(r.get(in), size, size); }

        public String script(State s) {
            return String.format(Locale.ROOT, "%s = torch.adaptive_avg_pool2d(%s, [%d, %d])", out, in, size, size);
        }
    }

    /** Flattens every dimension after the batch one. */
    record Flatten(String out, String in) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) { return r.get(in).flatten(1, -1); }

        public String script(State s) { return out + " = torch.flatten(" + in + ", 1)"; }
    }

    /** Dropout with probability {@code p}; the identity in eval mode. */
    record Dropout(String out, String in, double p) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) { return training ? torch.dropout(r.get(in), p, true) : r.get(in); }

        public String script(State s) {
            return String.format(Locale.ROOT, "%s = torch.dropout(%s, %s, self.training)", out, in, Double.toString(p));
        }
    }

    /** Elementwise sum of two registers (a residual connection). */
    record Add(String out, String a, String b) implements Op {
        public List<String> inputs() { return List.of(a, b); }

        public Tensor run(Registers r, State s, boolean training) { return r.get(a).add(r.get(b)); }

        public String script(State s) { return out + " = " + a + " + " + b; }
    }
}
