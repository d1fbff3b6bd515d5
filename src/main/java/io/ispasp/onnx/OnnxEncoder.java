package io.ispasp.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.ByteString;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Bert;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.GraphProtoOrBuilder;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.StringStringEntryProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import io.ispasp.onnx.proto.OnnxProto.ValueInfoProto;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A BERT-family ONNX encoder as an engine {@link Network} and back. Loading copies the weights under their module
 * names (MatMul weights transposed to PyTorch's [out, in]); saving writes a network into the graph it came from,
 * replacing only the initializers whose values or shapes it changed (pruned FFNs are narrower MatMul weights and
 * biases; no shape constant depends on the FFN width), so the file keeps its inputs, outputs and every other node.
 * A layer that lost heads also gets new shape constants for its head count and its all-head width, read by the
 * reshapes of its query, key, value and context ({@link HeadShapes}).
 * The architecture's text goes into the model's metadata ({@value #ARCHITECTURE_KEY}), so a pruned file loads back
 * with the dense widths it was cut from.
 */
public final class OnnxEncoder {
    /** Metadata key holding {@link Architecture#describe()} of the dense encoder a pruned file was cut from. */
    public static final String ARCHITECTURE_KEY = "ispasp.architecture";

    private OnnxEncoder() {}

    /** The encoder in {@code file} as a network (the caller closes it). */
    public static Network load(Path file) throws IOException {
        ModelProto model = OnnxFile.read(file);
        return network(model, BertGraph.recognise(model, file.toString()));
    }

    /** The network of a recognised graph. */
    public static Network network(ModelProto model, BertGraph g) {
        Architecture arch = architecture(model, g);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, TensorProto> e : g.weights().entrySet()) {
                TensorProto t = e.getValue();
                long[] dims = dims(t);
                Tensor v = Tensors.of(floats(t), dims);
                state.put(e.getKey(), matmul(e.getKey(), dims) ? v.t() : v);
            }
            return Network.fromState(arch, state);
        }
    }

    /** The dense architecture: from the metadata a pruned file carries, else the graph's own widths. */
    static Architecture architecture(ModelProto model, BertGraph g) {
        for (StringStringEntryProto p : model.getMetadataPropsList()) {
            if (p.getKey().equals(ARCHITECTURE_KEY)) {
                Architecture a = Architectures.parse(p.getValue());
                if (a instanceof Bert b && b.layers() == g.layers() && b.hidden() == g.hidden()) return b;
            }
        }
        return new Bert(g.layers(), g.hidden(), g.heads(), g.intermediate(), g.vocab(), g.positions(), g.typeVocab(), g.layerNormEps());
    }

    /**
     * {@code original} with {@code net}'s weights: every initializer behind a module weight whose values differ is
     * replaced (same name, the network's shape), and the architecture is recorded in the metadata.
     */
    public static ModelProto withNetwork(ModelProto original, BertGraph g, Network net) {
        Map<String, TensorProto> replaced = new HashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, TensorProto> e : g.weights().entrySet()) {
                Tensor t = net.tensor(e.getKey());
                long[] shape = t.shape();
                boolean mm = matmul(e.getKey(), shape);
                Tensor stored = (mm ? t.t() : t).contiguous();
                long[] dims = stored.shape();
                float[] values = Tensors.floats(stored);
                TensorProto old = e.getValue();
                if (java.util.Arrays.equals(dims, dims(old))
                        && java.util.Arrays.equals(values, floats(old))) continue;
                replaced.put(old.getName(), tensor(old.getName(), dims, values));
            }
        }
        GraphProto.Builder graph = original.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto r = replaced.get(graph.getInitializer(i).getName());
            if (r != null) graph.setInitializer(i, r);
        }
        rewriteHeads(graph, original.getGraph(), g, net);
        dropOrphans(graph, original.getGraph());
        ModelProto.Builder model = original.toBuilder().setGraph(graph);
        for (int i = model.getMetadataPropsCount() - 1; i >= 0; i--) {
            if (model.getMetadataProps(i).getKey().equals(ARCHITECTURE_KEY)) model.removeMetadataProps(i);
        }
        model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(ARCHITECTURE_KEY).setValue(net.architecture().describe()));
        return model.build();
    }

    /**
     * Drops the initializers that the rewrite left without a reader (the shape constants a pruned layer no longer
     * reads; ONNX Runtime warns about each); any the source itself left unread stay, as they were.
     */
    private static void dropOrphans(GraphProto.Builder graph, GraphProto original) {
        Set<String> before = unread(original), after = unread(graph);
        for (int i = graph.getInitializerCount() - 1; i >= 0; i--) {
            String name = graph.getInitializer(i).getName();
            if (after.contains(name) && !before.contains(name)) graph.removeInitializer(i);
        }
    }

    /** The initializers no node and no graph output reads. */
    private static Set<String> unread(GraphProtoOrBuilder g) {
        Set<String> read = new HashSet<>();
        for (NodeProto n : g.getNodeList()) read.addAll(n.getInputList());
        for (ValueInfoProto o : g.getOutputList()) read.add(o.getName());
        Set<String> unread = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) if (!read.contains(t.getName())) unread.add(t.getName());
        return unread;
    }

    /** Per layer whose head count differs from the graph's, new shape constants for its reshapes. */
    private static void rewriteHeads(GraphProto.Builder graph, GraphProto original, BertGraph g, Network net) {
        Set<String> taken = null;
        try (PointerScope scope = new PointerScope()) {
            for (int l = 0; l < g.layers(); l++) {
                HeadShapes.Layer a = g.attention().get(l);
                long width = net.tensor(Bert.layer(l) + "attention.self.query.weight").size(0);
                if (width % a.headSize() != 0) {
                    throw new IllegalArgumentException("layer " + l + ": query width " + width + " is not a multiple of the head width " + a.headSize());
                }
                int heads = (int) (width / a.headSize());
                if (heads == a.heads()) continue;
                if (!a.complete()) {
                    throw new IllegalArgumentException("layer " + l + ": " + heads + " heads kept of " + a.heads()
                            + ", but the graph's head-count shapes were not all found (expected Reshapes of query, key, value and context)");
                }
                if (taken == null) taken = HeadShapes.names(original);
                HeadShapes.rewrite(graph, taken, l, a, heads);
            }
        }
    }

    /** Writes {@code net} into {@code original}'s graph and the result to {@code out}. */
    public static void write(ModelProto original, Network net, java.io.OutputStream out) throws IOException {
        BertGraph g = BertGraph.recognise(original, "the source model");
        ModelProto m = withNetwork(original, g, net);
        if (m.getSerializedSize() < 0) throw new IOException("the pruned model is larger than protobuf's 2 GiB limit");
        m.writeTo(out);
    }

    /** Whether a module weight is a MatMul's (stored [in, out] in ONNX): every 2-D encoder weight but the embeddings. */
    private static boolean matmul(String name, long[] dims) {
        return dims.length == 2 && name.startsWith("encoder.");
    }

    private static long[] dims(TensorProto t) { return t.getDimsList().stream().mapToLong(Long::longValue).toArray(); }

    /** A float32 initializer's values, from float_data or raw little-endian bytes. */
    public static float[] floats(TensorProto t) {
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) v[i] = t.getFloatData(i);
            return v;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(v);
        return v;
    }

    private static TensorProto tensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) b.addDims(d);
        return b.build();
    }
}
