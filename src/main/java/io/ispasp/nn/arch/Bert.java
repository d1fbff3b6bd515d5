package io.ispasp.nn.arch;

import java.util.List;
import java.util.Random;

import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Blueprint;
import io.ispasp.nn.Init;
import io.ispasp.nn.Op;
import io.ispasp.nn.UnitSpec;

/**
 * A BERT-family encoder (BertModel, MiniLM, sentence-transformers' encoders) with Hugging Face's module names:
 * embeddings, then {@code layers} times [self-attention, attention output dense, add + LayerNorm, intermediate dense
 * + exact GELU, output dense, add + LayerNorm]; the output is the last hidden state [batch, seq, hidden] (pooling is
 * the caller's). The input is int64 token ids [batch, seq] with -1 at padding, token type 0 everywhere (single
 * sentences); one sample is one sequence, so {@link #inputShape(int)} takes its length.
 * <p>Units, two per layer in pruning order: the attention heads, {@code layer.L.heads}: A = the self-attention
 * (input: the hidden state), H = its context over the real tokens, group c = head c's {@code headSize} columns of the
 * context (query, key and value rows of the head, its columns of the output dense), B = the attention output dense;
 * then the feed-forward network, {@code layer.L.ffn}: A = intermediate dense + GELU over the real tokens' rows (one
 * row per token, padding excluded), groups = its neurons, B = the output dense. The hidden module of a heads unit is
 * the value projection: zeroing a head's value rows and bias zeroes its context columns (docs/design.md,
 * "Transformers").
 *
 * @param layers       encoder layers
 * @param hidden       hidden width
 * @param heads        attention heads (hidden / heads columns each)
 * @param intermediate FFN width of the dense model
 * @param vocab        word-piece vocabulary
 * @param positions    position embeddings (the longest sequence)
 * @param typeVocab    token types
 * @param eps          LayerNorm's epsilon
 */
public record Bert(int layers, int hidden, int heads, int intermediate, int vocab, int positions, int typeVocab, double eps)
        implements Architecture {

    public Bert {
        if (layers < 1 || hidden < 1 || heads < 1 || intermediate < 1 || vocab < 1 || positions < 1 || typeVocab < 1) {
            throw new IllegalArgumentException("bert sizes must be positive: layers=" + layers + " hidden=" + hidden + " heads="
                    + heads + " intermediate=" + intermediate + " vocab=" + vocab + " positions=" + positions + " types=" + typeVocab);
        }
        if (hidden % heads != 0) throw new IllegalArgumentException("bert hidden=" + hidden + " is not a multiple of heads=" + heads);
        if (!(eps > 0)) throw new IllegalArgumentException("bert eps=" + eps + " must be positive");
    }

    /** The unit name of layer {@code l}'s attention heads. */
    public static String headsUnit(int l) { return "layer." + l + ".heads"; }

    /** The unit name of layer {@code l}'s feed-forward network. */
    public static String ffnUnit(int l) { return "layer." + l + ".ffn"; }

    /** The module prefix of layer {@code l}. */
    public static String layer(int l) { return "encoder.layer." + l + "."; }

    @Override
    public String name() { return "bert"; }

    @Override
    public String describe() {
        return "bert layers=" + layers + " hidden=" + hidden + " heads=" + heads + " intermediate=" + intermediate
                + " vocab=" + vocab + " positions=" + positions + " types=" + typeVocab + " eps=" + eps;
    }

    static Bert parse(Description d) {
        return new Bert(d.integer("layers", 12), d.integer("hidden", 768), d.integer("heads", 12), d.integer("intermediate", 3072),
                d.integer("vocab", 30522), d.integer("positions", 512), d.integer("types", 2), d.number("eps", 1e-12));
    }

    /** The output width: an encoder has no classes; its output per token is the hidden state. */
    @Override
    public int classes() { return hidden; }

    @Override
    public Architecture withClasses(int classes) {
        throw new IllegalArgumentException("an encoder has no classifier to resize (bert outputs " + hidden + "-wide hidden states)");
    }

    /** One sequence of {@code size} tokens. */
    @Override
    public long[] inputShape(int size) { return new long[] {size}; }

    /** The sequence length FLOPs are quoted at unless one is given. */
    @Override
    public int nativeInput() { return 128; }

    @Override
    public Blueprint blueprint() {
        Blueprint.Builder b = new Blueprint.Builder();
        b.tensor("embeddings.word_embeddings.weight", vocab, hidden);
        b.tensor("embeddings.position_embeddings.weight", positions, hidden);
        b.tensor("embeddings.token_type_embeddings.weight", typeVocab, hidden);
        b.tensor("embeddings.LayerNorm.weight", hidden);
        b.tensor("embeddings.LayerNorm.bias", hidden);
        b.op(new Op.Embeddings("h", "x", "embeddings", eps));
        for (int l = 0; l < layers; l++) {
            String p = layer(l);
            for (String m : new String[] {"query", "key", "value"}) {
                b.tensor(p + "attention.self." + m + ".weight", hidden, hidden);
                b.tensor(p + "attention.self." + m + ".bias", hidden);
            }
            int attention = b.next();
            b.op(new Op.SelfAttention("c", "h", p + "attention.self", hidden / heads));
            int output = b.next();
            b.linear("o", "c", p + "attention.output.dense", hidden, hidden, true);
            b.unit(new UnitSpec(headsUnit(l), p + "attention.self.value", "h", attention, attention, output, null,
                    headsCoupled(p), -1, false, hidden / heads));
            b.op(new Op.TokenAdd("h", "h", "o"));
            layerNorm(b, p + "attention.output.LayerNorm");
            int start = b.next();
            b.op(new Op.TokenRows("t", "h"));
            b.linear("t", "t", p + "intermediate.dense", hidden, intermediate, true);
            int act = b.next();
            b.op(new Op.Act("t", "t", Activation.GELU));
            int bOp = b.next();
            b.linear("o", "t", p + "output.dense", intermediate, hidden, true);
            b.op(new Op.TokenAdd("h", "h", "o"));
            layerNorm(b, p + "output.LayerNorm");
            b.unit(new UnitSpec(ffnUnit(l), p + "intermediate.dense", "h", start, act, bOp, null,
                    List.of(new UnitSpec.Coupled(p + "intermediate.dense.weight", 0), new UnitSpec.Coupled(p + "intermediate.dense.bias", 0),
                            new UnitSpec.Coupled(p + "output.dense.weight", 1)), -1, false));
        }
        return b.build("h");
    }

    /** What removing a head removes: its rows of value (first: the magnitude criterion), query and key, its output columns. */
    private static List<UnitSpec.Coupled> headsCoupled(String p) {
        List<UnitSpec.Coupled> c = new java.util.ArrayList<>();
        for (String m : new String[] {"value", "query", "key"}) {
            c.add(new UnitSpec.Coupled(p + "attention.self." + m + ".weight", 0));
            c.add(new UnitSpec.Coupled(p + "attention.self." + m + ".bias", 0));
        }
        c.add(new UnitSpec.Coupled(p + "attention.output.dense.weight", 1));
        return c;
    }

    private void layerNorm(Blueprint.Builder b, String module) {
        b.tensor(module + ".weight", hidden);
        b.tensor(module + ".bias", hidden);
        b.op(new Op.LayerNorm("h", "h", module, eps));
    }

    /** No layout from the authors for encoders. */
    @Override
    public double[] referenceRatios() { return null; }

    /** BERT's scheme: normal(0, 0.02) weights and embeddings, zero biases, LayerNorm 1 and 0. */
    @Override
    public float[] initial(String name, long[] shape, Random rnd) {
        if (name.contains("LayerNorm")) return name.endsWith(".weight") ? Init.batchNorm(name, shape) : new float[(int) Init.count(shape)];
        if (name.endsWith(".bias")) return new float[(int) Init.count(shape)];
        return Init.normal(shape, 0.02, rnd);
    }
}
