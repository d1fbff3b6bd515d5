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

    /**
     * BERT's embeddings: word + position + token type 0, then LayerNorm. The input is int64 token ids [batch, seq]
     * with -1 at padding; the output [batch, seq, hidden] holds zero rows at padding, which is how every later
     * encoder op knows the attention mask (a real token's LayerNorm output is never all zeros), so a unit's input
     * stays one register (docs/design.md, "Transformers").
     */
    record Embeddings(String out, String in, String module, double eps) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor ids = r.get(in);
            long seq = ids.size(1);
            Tensor positions = s.tensor(module + ".position_embeddings.weight");
            if (seq > positions.size(0)) {
                throw new IllegalArgumentException("sequences of " + seq + " tokens exceed the model's " + positions.size(0) + " positions");
            }
            Tensor mask = ids.ge(new Scalar(0L));
            Tensor e = torch.embedding(s.tensor(module + ".word_embeddings.weight"), ids.mul(mask.to(torch.ScalarType.Long)))
                    .add(positions.narrow(0, 0, seq)).add(s.tensor(module + ".token_type_embeddings.weight").select(0, 0));
            return Encoder.layerNorm(e, s, module + ".LayerNorm", eps).mul(mask.unsqueeze(-1));
        }

        public String script(State s) { throw Encoder.noScript(); }
    }

    /** LayerNorm over the last dimension; rows of zeros (padding) stay zeros. */
    record LayerNorm(String out, String in, String module, double eps) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor x = r.get(in);
            return Encoder.layerNorm(x, s, module, eps).mul(Encoder.realRows(x).unsqueeze(-1));
        }

        public String script(State s) { throw Encoder.noScript(); }
    }

    /**
     * BERT self-attention of {@code module} ({@code .query}, {@code .key}, {@code .value} Linears) over [batch, seq,
     * hidden] with zero rows at padding (masked as keys), heads of {@code headSize} columns (their number read from the
     * query's width, so pruned heads need nothing else). Returns the context of the real tokens only, [tokens, heads x
     * headSize]: the rows the attention output dense reads.
     */
    record SelfAttention(String out, String in, String module, int headSize) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor x = r.get(in);
            Tensor mask = Encoder.realRows(x);                                                  // [b, seq]
            // padding is at the end of each row: attend over the columns up to the batch's longest sentence only
            long used = mask.any(0).nonzero().max().item_long() + 1;
            if (used < x.size(1)) {
                x = x.narrow(1, 0, used);
                mask = mask.narrow(1, 0, used);
            }
            long b = x.size(0), seq = x.size(1);
            Tensor real = Encoder.realRowIndices(mask);
            // the projections of the real tokens only (padding can be most of a batch); padding's rows stay zero
            Tensor rows = x.reshape(-1, x.size(2)).index_select(0, real);
            Tensor q = heads(Encoder.scatterRows(Encoder.linear(rows, s, module + ".query"), real, b * seq), b, seq);
            Tensor k = heads(Encoder.scatterRows(Encoder.linear(rows, s, module + ".key"), real, b * seq), b, seq);
            Tensor v = heads(Encoder.scatterRows(Encoder.linear(rows, s, module + ".value"), real, b * seq), b, seq);
            Tensor scores = q.matmul(k.transpose(-1, -2)).div(new Scalar(Math.sqrt(headSize)))
                    .masked_fill(mask.logical_not().reshape(b, 1, 1, seq), new Scalar(Double.NEGATIVE_INFINITY));
            Tensor context = scores.softmax(-1).matmul(v).permute(0, 2, 1, 3).reshape(b * seq, -1);
            return context.index_select(0, real);
        }

        private Tensor heads(Tensor t, long b, long seq) { return t.reshape(b, seq, -1, headSize).permute(0, 2, 1, 3); }

        public String script(State s) { throw Encoder.noScript(); }
    }

    /** The real (non-zero) token rows of [batch, seq, hidden] as [tokens, hidden]: what a per-token unit reads. */
    record TokenRows(String out, String in) implements Op {
        public List<String> inputs() { return List.of(in); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor x = r.get(in);
            return x.reshape(-1, x.size(2)).index_select(0, Encoder.realRowIndices(Encoder.realRows(x)));
        }

        public String script(State s) { throw Encoder.noScript(); }
    }

    /** A residual connection from token rows: {@code a} [batch, seq, hidden] plus {@code b} [tokens, hidden] at a's real rows. */
    record TokenAdd(String out, String a, String b) implements Op {
        public List<String> inputs() { return List.of(a, b); }

        public Tensor run(Registers r, State s, boolean training) {
            Tensor x = r.get(a);
            Tensor flat = x.reshape(-1, x.size(2));
            return flat.index_add(0, Encoder.realRowIndices(Encoder.realRows(x)), r.get(b)).reshape(x.size(0), x.size(1), x.size(2));
        }

        public String script(State s) { throw Encoder.noScript(); }
    }

    /** Elementwise sum of two registers (a residual connection). */
    record Add(String out, String a, String b) implements Op {
        public List<String> inputs() { return List.of(a, b); }

        public Tensor run(Registers r, State s, boolean training) { return r.get(a).add(r.get(b)); }

        public String script(State s) { return out + " = " + a + " + " + b; }
    }
}
