package io.ispasp.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.ispasp.onnx.proto.OnnxProto.AttributeProto;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import io.ispasp.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * A BERT-family encoder recognised in an ONNX graph as Hugging Face's exporters write it (BertModel and its kin:
 * MiniLM, sentence-transformers' encoders): embeddings (word, position, token type, LayerNorm), then {@code layers}
 * times [self-attention, add + LayerNorm, intermediate dense + GELU, output dense, add + LayerNorm].
 * <p>Weights are found by their module names. The exporters name the biases
 * ({@code encoder.layer.3.intermediate.dense.bias}) but not the MatMul weights ({@code onnx::MatMul_801}), so each
 * dense layer's weight is the initializer of the MatMul whose output that bias is added to. Each layer's head count
 * and the head width are read from the constant dimensions of the reshapes that split its projections into heads
 * ({@link HeadShapes}; a pruned encoder's layers may keep different numbers of heads), LayerNorm's epsilon from the
 * constant added to the variance. Anything else is refused with one line saying what was found.
 *
 * @param heads     the dense model's head count: hidden / headSize (a pruned file's metadata gives the rest)
 * @param weights   every weight under its module name ({@code ...query.weight} is the MatMul's {@code [in, out]}
 *                  matrix, the transpose of PyTorch's Linear weight), in graph order
 * @param attention each layer's heads as exported, with the shape constants that carry their number
 */
public record BertGraph(int layers, int hidden, int heads, int headSize, int intermediate, int vocab, int positions, int typeVocab,
                        double layerNormEps, List<String> inputs, String output, Map<String, TensorProto> weights,
                        List<HeadShapes.Layer> attention) {

    static final String[] LINEARS = {"attention.self.query", "attention.self.key", "attention.self.value",
            "attention.output.dense", "intermediate.dense", "output.dense"};
    static final String[] NORMS = {"attention.output.LayerNorm", "output.LayerNorm"};

    /** The encoder of {@code model}; {@code source} names it in messages. */
    public static BertGraph recognise(ModelProto model, String source) throws IOException {
        GraphProto g = model.getGraph();
        Map<String, TensorProto> init = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) init.put(t.getName(), t);
        Map<String, NodeProto> producer = new HashMap<>();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) producer.put(o, n);
            for (String i : n.getInputList()) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
        TensorProto word = init.get("embeddings.word_embeddings.weight");
        if (word == null || word.getDimsCount() != 2) {
            throw new IOException(source + " is not a BERT-family encoder: no embeddings.word_embeddings.weight among its "
                    + init.size() + " initializers; operators " + opCounts(g));
        }
        int hidden = (int) word.getDims(1);

        Map<String, TensorProto> weights = new LinkedHashMap<>();
        for (String e : new String[] {"word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                "LayerNorm.weight", "LayerNorm.bias"}) {
            weights.put("embeddings." + e, required(init, "embeddings." + e, source));
        }
        Map<String, Linear> linears = linears(g, init, consumers);
        int layers = 0;
        while (init.containsKey("encoder.layer." + layers + ".intermediate.dense.bias")) layers++;
        if (layers == 0) throw new IOException(source + " is not a BERT-family encoder: no encoder.layer.0.intermediate.dense.bias");
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String lin : LINEARS) {
                Linear linear = linears.get(p + lin);
                if (linear == null) {
                    throw new IOException(source + ": layer " + l + " has no MatMul feeding " + p + lin + ".bias; not the BERT layout");
                }
                weights.put(p + lin + ".weight", linear.weight());
                weights.put(p + lin + ".bias", required(init, p + lin + ".bias", source));
            }
            for (String norm : NORMS) {
                weights.put(p + norm + ".weight", required(init, p + norm + ".weight", source));
                weights.put(p + norm + ".bias", required(init, p + norm + ".bias", source));
            }
        }
        HeadShapes.Index index = new HeadShapes.Index(g);
        List<HeadShapes.Layer> attention = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".attention.";
            String[] projections = new String[3];
            long[] widths = new long[3];
            String[] qkv = {"self.query", "self.key", "self.value"};
            for (int i = 0; i < 3; i++) {
                projections[i] = linears.get(p + qkv[i]).output();
                TensorProto w = weights.get(p + qkv[i] + ".weight");
                widths[i] = w.getDimsCount() == 2 ? w.getDims(1) : -1;
            }
            attention.add(HeadShapes.find(index, l, projections, widths, linears.get(p + "output.dense").input(), source));
        }
        int headSize = attention.get(0).headSize();
        for (int l = 1; l < layers; l++) {
            if (attention.get(l).headSize() != headSize) {
                throw new IOException(source + ": heads of " + headSize + " columns in layer 0 but " + attention.get(l).headSize() + " in layer " + l);
            }
        }
        if (hidden % headSize != 0) throw new IOException(source + ": hidden " + hidden + " is not a multiple of the head width " + headSize);
        checkShapes(weights, layers, hidden, attention, source);
        int intermediate = 0;   // the widest layer's (all of them in a dense model)
        for (int l = 0; l < layers; l++) {
            intermediate = Math.max(intermediate, (int) weights.get("encoder.layer." + l + ".intermediate.dense.weight").getDims(1));
        }
        double eps = layerNormEps(g, init, producer, source);
        long erf = g.getNodeList().stream().filter(n -> n.getOpType().equals("Erf")).count();
        if (erf != layers) {
            throw new IOException(source + ": " + erf + " Erf nodes for " + layers + " layers; only the exact (erf) GELU of BERT is supported");
        }
        if (g.getOutputCount() == 0) throw new IOException(source + ": the graph declares no output");
        List<String> inputs = g.getInputList().stream().map(ValueInfoProto::getName).toList();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
            throw new IOException(source + ": inputs " + inputs + " lack input_ids or attention_mask");
        }
        return new BertGraph(layers, hidden, hidden / headSize, headSize, intermediate, (int) word.getDims(0),
                (int) weights.get("embeddings.position_embeddings.weight").getDims(0),
                (int) weights.get("embeddings.token_type_embeddings.weight").getDims(0), eps, inputs,
                g.getOutput(0).getName(), weights, List.copyOf(attention));
    }

    /** A dense layer as exported: its MatMul's [in, out] weight, what the MatMul reads, and the output of the Add of its bias. */
    private record Linear(TensorProto weight, String input, String output) {}

    /** Module name -> the dense layer whose MatMul output its bias ({@code module.bias}) is added to. */
    private static Map<String, Linear> linears(GraphProto g, Map<String, TensorProto> init, Map<String, List<NodeProto>> consumers) {
        Map<String, Linear> out = new HashMap<>();
        for (NodeProto mm : g.getNodeList()) {
            if (!mm.getOpType().equals("MatMul") || mm.getInputCount() != 2 || !init.containsKey(mm.getInput(1))) continue;
            for (NodeProto add : consumers.getOrDefault(mm.getOutput(0), List.of())) {
                if (!add.getOpType().equals("Add")) continue;
                for (String in : add.getInputList()) {
                    if (in.endsWith(".bias") && init.containsKey(in)) {
                        out.put(in.substring(0, in.length() - 5), new Linear(init.get(mm.getInput(1)), mm.getInput(0), add.getOutput(0)));
                    }
                }
            }
        }
        return out;
    }

    /** The epsilon of the first decomposed LayerNorm: the constant added to the variance under the Sqrt. */
    private static double layerNormEps(GraphProto g, Map<String, TensorProto> init, Map<String, NodeProto> producer, String source)
            throws IOException {
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("LayerNormalization")) {
                for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("epsilon")) return a.getF();
                return 1e-5; // the operator's default
            }
            if (!n.getOpType().equals("Sqrt")) continue;
            NodeProto add = producer.get(n.getInput(0));
            if (add == null || !add.getOpType().equals("Add")) continue;
            for (String in : add.getInputList()) {
                Double v = scalarFloat(in, init, producer);
                if (v != null) return v;
            }
        }
        throw new IOException(source + ": found no LayerNorm epsilon (a LayerNormalization node, or a constant added before a Sqrt)");
    }

    private static Double scalarFloat(String name, Map<String, TensorProto> init, Map<String, NodeProto> producer) {
        TensorProto t = constant(name, init, producer);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE) return null;
        // the float's shortest decimal (1e-12, not 9.99999996e-13): what the model was configured with
        if (t.getFloatDataCount() == 1) return Double.parseDouble(Float.toString(t.getFloatData(0)));
        if (t.getRawData().size() == 4) {
            return Double.parseDouble(Float.toString(t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat()));
        }
        return null;
    }

    /** The tensor behind {@code name} when it is constant: an initializer, or a Constant node's value; else null. */
    static TensorProto constant(String name, Map<String, TensorProto> init, Map<String, NodeProto> producer) {
        TensorProto t = init.get(name);
        if (t != null) return t;
        NodeProto n = producer.get(name);
        if (n == null || !n.getOpType().equals("Constant")) return null;
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("value")) return a.getT();
        return null;
    }

    /**
     * Each layer's shapes; its FFN width and its heads are its own (a pruned encoder's layers may differ): the
     * projections are heads x headSize wide, the rest is {@code hidden}.
     */
    private static void checkShapes(Map<String, TensorProto> w, int layers, int hidden, List<HeadShapes.Layer> attention,
                                    String source) throws IOException {
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            TensorProto up = w.get(p + "intermediate.dense.weight");
            long intermediate = up.getDimsCount() == 2 ? up.getDims(1) : -1;
            long heads = (long) attention.get(l).heads() * attention.get(l).headSize();
            for (String lin : LINEARS) {
                boolean projection = lin.startsWith("attention.self.");
                long in = lin.equals("output.dense") ? intermediate : lin.equals("attention.output.dense") ? heads : hidden;
                long out = lin.equals("intermediate.dense") ? intermediate : projection ? heads : hidden;
                expect(w.get(p + lin + ".weight"), p + lin + ".weight", source, in, out);
                expect(w.get(p + lin + ".bias"), p + lin + ".bias", source, out);
            }
        }
    }

    private static void expect(TensorProto t, String name, String source, long... dims) throws IOException {
        List<Long> want = new ArrayList<>();
        for (long d : dims) want.add(d);
        if (!t.getDimsList().equals(want)) throw new IOException(source + ": " + name + " has shape " + t.getDimsList() + ", expected " + want);
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) throw new IOException(source + ": " + name + " is not float32 (data type " + t.getDataType() + ")");
    }

    private static TensorProto required(Map<String, TensorProto> init, String name, String source) throws IOException {
        TensorProto t = init.get(name);
        if (t == null) throw new IOException(source + " is not a BERT-family encoder as exported from Hugging Face: no initializer " + name);
        return t;
    }

    private static String opCounts(GraphProto g) {
        Map<String, Integer> ops = new TreeMap<>();
        for (NodeProto n : g.getNodeList()) ops.merge(n.getOpType(), 1, Integer::sum);
        return ops.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "BERT encoder: %d layers, hidden %d, %d heads of %d, FFN %d, vocabulary %d, %d positions, LayerNorm eps %.1e",
                layers, hidden, heads, headSize, intermediate, vocab, positions, layerNormEps);
    }
}
