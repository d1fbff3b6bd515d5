package io.ispasp.bench.latency;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.ispasp.onnx.BertGraph;
import io.ispasp.onnx.OnnxFile;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;

/**
 * A BERT-family encoder in an ONNX file (as {@link BertGraph} recognises it), run by ONNX Runtime on the CPU with
 * graph optimisation level ALL (ORT's operator fusions, as a deployment would use it) and {@code threads} intra-op
 * threads, or ORT's default (one per physical core) when none are given.
 * <p>Input: token ids drawn uniformly from [1000, vocabulary) with a seed fixed by (batch, length), so every encoder
 * of a run gets the same ids (1000 skips BERT's special and unused tokens); attention mask all ones (no padding);
 * token types 0. Only the graph's output named by {@link BertGraph#output()} is asked for.
 * <p>Params: float elements of all initializers, the word, position and token-type embeddings included (90% of
 * MiniLM-L6's parameters are the word embeddings, which cost no multiply-adds). FLOPs per sequence of L tokens, as
 * multiply-adds (fvcore convention): L x (in x out) for every MatMul whose weight is an initializer, plus per layer
 * 2 x L x L x (query width) for the attention scores (Q K^T) and the context (scores x V); the query width is the
 * query projection's output size, which shrinks when heads are pruned. Softmax, LayerNorm, GELU and the embedding
 * lookups are not counted, as fvcore does not count them either.
 */
final class OnnxLatencyModel implements EncoderLatencyModel {
    /** Token ids are drawn from [FIRST_ID, vocabulary): below it BERT's vocabulary holds [PAD], [unused*], [CLS], ... */
    static final int FIRST_ID = 1000;
    private static final Set<String> INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

    private final String label;
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final BertGraph bert;
    private final String description;
    private final long params;
    private final long flopsPerToken;
    private final int[] queryWidths;

    private OnnxLatencyModel(String label, Path file, OrtEnvironment env, OrtSession session, BertGraph bert, String description, long params,
                             long flopsPerToken, int[] queryWidths) {
        this.label = label;
        this.file = file;
        this.env = env;
        this.session = session;
        this.bert = bert;
        this.description = description;
        this.params = params;
        this.flopsPerToken = flopsPerToken;
        this.queryWidths = queryWidths;
    }

    /** Opens {@code file}; {@code threads} null for ORT's default. Errors are one line naming the file. */
    static OnnxLatencyModel open(String label, Path file, Integer threads) throws IOException {
        ModelProto model = OnnxFile.read(file);
        BertGraph bert = BertGraph.recognise(model, file.toString());
        for (String in : bert.inputs()) {
            if (!INPUTS.contains(in)) throw new IOException(file + ": input '" + in + "' is not one of " + INPUTS + "; cannot feed it");
        }
        GraphProto g = model.getGraph();
        int[] queryWidths = new int[bert.layers()];
        for (int l = 0; l < bert.layers(); l++) {
            queryWidths[l] = (int) bert.weights().get("encoder.layer." + l + ".attention.self.query.weight").getDims(1);
        }
        long params = floatElements(g);
        long perToken = flopsPerToken(g);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads != null) options.setIntraOpNumThreads(threads);
            session = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new IOException(file + ": ONNX Runtime cannot load it (" + firstLine(e) + ")", e);
        }
        String what = "ONNX Runtime " + env.getVersion() + " (CPU, graph optimisation ALL, "
                + (threads == null ? "ORT's default intra-op threads" : threads + " intra-op thread" + (threads == 1 ? "" : "s")) + "): "
                + bert + (uniform(queryWidths) ? "" : ", query widths " + Arrays.toString(queryWidths));
        return new OnnxLatencyModel(label, file, env, session, bert, what, params, perToken, queryWidths);
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() { return description; }

    /** Float elements of all initializers, embeddings included. */
    @Override
    public long params() { return params; }

    @Override
    public int maxSequence() { return bert.positions(); }

    @Override
    public long flopsPerSequence(int seq) { return flopsPerSequence(flopsPerToken, queryWidths, seq); }

    @Override
    public Batch prepare(int n, int seq) {
        if (seq > maxSequence()) throw new IllegalArgumentException("--seq " + seq + ": " + file + " takes at most " + maxSequence() + " tokens");
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            SplittableRandom rnd = new SplittableRandom(1_000_003L * n + seq);
            int firstId = bert.vocab() > FIRST_ID ? FIRST_ID : 0; // a toy vocabulary: every id
            long[] shape = {n, seq};
            for (String name : bert.inputs()) {
                LongBuffer values = ByteBuffer.allocateDirect(8 * n * seq).order(ByteOrder.nativeOrder()).asLongBuffer();
                for (int i = 0; i < n * seq; i++) {
                    values.put(switch (name) {
                        case "input_ids" -> rnd.nextInt(firstId, bert.vocab());
                        case "attention_mask" -> 1;
                        default -> 0; // token_type_ids: one segment
                    });
                }
                values.rewind();
                inputs.put(name, OnnxTensor.createTensor(env, values, shape)); // a direct buffer: ORT uses it in place
            }
            OrtBatch batch = new OrtBatch(inputs);
            try (Output first = batch.run()) {
                long[] got = ((OrtOutput) first).shape();
                if (!Arrays.equals(got, new long[] {n, seq, bert.hidden()})) {
                    throw new IllegalStateException(label + " returned shape " + Arrays.toString(got) + " for " + n + " sequences of " + seq
                            + " tokens; expected [" + n + ", " + seq + ", " + bert.hidden() + "]");
                }
            } catch (RuntimeException e) {
                batch.close();
                throw e;
            }
            return batch;
        } catch (OrtException e) {
            for (OnnxTensor t : inputs.values()) t.close();
            throw new IllegalStateException(label + ": ONNX Runtime cannot make the input (" + firstLine(e) + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(label + ": closing the ONNX Runtime session failed (" + firstLine(e) + ")", e);
        }
    }

    /** The input tensors of one (n, seq), held for every run. */
    private final class OrtBatch implements Batch {
        private final Map<String, OnnxTensor> inputs;
        private final Set<String> outputs = Set.of(bert.output());

        OrtBatch(Map<String, OnnxTensor> inputs) {
            this.inputs = inputs;
        }

        @Override
        public Output run() {
            try {
                return new OrtOutput(session.run(inputs, outputs));
            } catch (OrtException e) {
                throw new IllegalStateException(label + " failed in ONNX Runtime: " + firstLine(e), e);
            }
        }

        @Override
        public void close() {
            for (OnnxTensor t : inputs.values()) t.close();
        }
    }

    private record OrtOutput(OrtSession.Result result) implements Output {
        long[] shape() {
            try {
                return ((OnnxTensor) result.get(0)).getInfo().getShape();
            } catch (ClassCastException e) {
                throw new IllegalStateException("the encoder's output is not a tensor", e);
            }
        }

        @Override
        public void close() { result.close(); }
    }

    /** Number of floating-point elements of all initializers (int64 ones, such as position ids, are not parameters). */
    static long floatElements(GraphProto g) {
        long n = 0;
        for (TensorProto t : g.getInitializerList()) {
            if (isFloat(t.getDataType())) n += elements(t);
        }
        return n;
    }

    /**
     * Multiply-adds per token of the MatMuls whose second input (the weight) is an initializer: the weight's element
     * count (in x out for the [in, out] matrices of the exporters). MatMuls of two activations (attention) are not
     * per-token costs and are left to {@link #flopsPerSequence}.
     */
    static long flopsPerToken(GraphProto g) {
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) init.put(t.getName(), t);
        long n = 0;
        for (NodeProto node : g.getNodeList()) {
            if (node.getOpType().equals("MatMul") && node.getInputCount() == 2 && init.containsKey(node.getInput(1))) {
                n += elements(init.get(node.getInput(1)));
            }
        }
        return n;
    }

    /** L x per-token cost plus, per layer, 2 x L x L x query width (scores and context). */
    static long flopsPerSequence(long flopsPerToken, int[] queryWidths, int seq) {
        long attention = 0;
        for (int w : queryWidths) attention += 2L * seq * seq * w;
        return seq * flopsPerToken + attention;
    }

    private static long elements(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) n *= d;
        return n;
    }

    private static boolean isFloat(int type) {
        return type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.FLOAT16_VALUE
                || type == TensorProto.DataType.BFLOAT16_VALUE || type == TensorProto.DataType.DOUBLE_VALUE;
    }

    private static boolean uniform(int[] v) {
        return Arrays.stream(v).distinct().count() <= 1;
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
