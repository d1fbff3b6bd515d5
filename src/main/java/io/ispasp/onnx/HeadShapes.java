package io.ispasp.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.ByteString;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;

/**
 * The shape constants through which an exported self-attention knows its head count: the reshapes that split the
 * query, key and value into [batch, seq, heads, headSize] and the one that merges the context back to [batch, seq,
 * heads x headSize]. Hugging Face's exporters build those shapes as a Concat of gathered dimensions and constants (12
 * and 32, then 384 for MiniLM), or as one constant tensor. Reading gives each layer's head count; writing a layer with
 * fewer heads points each slot at a new initializer of its own, so a constant that the exporter shared between nodes
 * or layers is never edited in place.
 */
final class HeadShapes {
    private HeadShapes() {}

    /**
     * One constant shape entry: node {@code node} (its index in the graph) reads it as input {@code input}, element
     * {@code element} of {@code constant}; it holds the layer's head count, or the all-head width when {@code width}.
     */
    record Slot(int node, int input, int element, boolean width, String constantName, TensorProto constant) {}

    /**
     * One layer's attention as exported: its head count and head width, and the slots to rewrite when heads are
     * removed ({@code complete} when the three splits and the merge were all found; otherwise heads cannot be pruned
     * in this graph).
     */
    record Layer(int heads, int headSize, List<Slot> slots, boolean complete) {}

    /** An entry of a Reshape's target shape: a constant (with where it sits) or null for a computed one. */
    private record Entry(Long value, Slot where) {}

    /** The graph's nodes by output and by index, for following shapes back to their constants. */
    static final class Index {
        final GraphProto graph;
        final Map<String, TensorProto> init = new HashMap<>();
        final Map<String, NodeProto> producer = new HashMap<>();
        final Map<String, List<NodeProto>> consumers = new HashMap<>();
        final Map<NodeProto, Integer> position = new IdentityHashMap<>();

        Index(GraphProto g) {
            this.graph = g;
            for (TensorProto t : g.getInitializerList()) init.put(t.getName(), t);
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                position.put(n, i);
                for (String o : n.getOutputList()) producer.put(o, n);
                for (String in : n.getInputList()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }

        /** The tensor behind {@code name} when it is constant: an initializer or a Constant node's value; else null. */
        TensorProto constant(String name) { return BertGraph.constant(name, init, producer); }
    }

    /**
     * Layer {@code layer}'s attention: {@code projections} are the outputs of its query, key and value (bias added),
     * {@code widths} their widths, {@code contextInput} what the attention output dense's MatMul reads.
     */
    static Layer find(Index g, int layer, String[] projections, long[] widths, String contextInput, String source) throws IOException {
        List<Slot> slots = new ArrayList<>();
        int heads = -1, headSize = -1, found = 0;
        for (int p = 0; p < projections.length; p++) {
            for (NodeProto reshape : g.consumers.getOrDefault(projections[p], List.of())) {
                if (!reshape.getOpType().equals("Reshape")) continue;
                List<Entry> e = entries(g, reshape);
                if (e.size() != 4 || e.get(2).value() == null || e.get(3).value() == null
                        || e.get(2).value() * e.get(3).value() != widths[p]) continue;
                int h = (int) (long) e.get(2).value(), size = (int) (long) e.get(3).value();
                if (heads >= 0 && (h != heads || size != headSize)) {
                    throw new IOException(source + ": layer " + layer + " splits its projections into " + heads + " and " + h + " heads");
                }
                heads = h;
                headSize = size;
                slots.add(withWidth(e.get(2).where(), false));
                found++;
                break;
            }
            if (p == 0 && heads < 0) {
                throw new IOException(source + ": could not read the head count from the reshape after layer " + layer + "'s query projection");
            }
        }
        NodeProto merge = g.producer.get(contextInput);
        if (merge != null && merge.getOpType().equals("Reshape")) {
            List<Entry> e = entries(g, merge);
            if (e.size() == 3 && e.get(2).value() != null && e.get(2).value() == (long) heads * headSize) {
                slots.add(withWidth(e.get(2).where(), true));
                found++;
            }
        }
        return new Layer(heads, headSize, slots, found == 4);
    }

    private static Slot withWidth(Slot s, boolean width) {
        return new Slot(s.node(), s.input(), s.element(), width, s.constantName(), s.constant());
    }

    /** The target shape of {@code reshape} entry by entry: one constant tensor, or a Concat of constants and computed parts. */
    private static List<Entry> entries(Index g, NodeProto reshape) {
        List<Entry> out = new ArrayList<>();
        String shape = reshape.getInput(1);
        TensorProto whole = g.constant(shape);
        if (whole != null) {
            addConstant(out, whole, g.position.get(reshape), 1, shape);
            return out;
        }
        NodeProto concat = g.producer.get(shape);
        if (concat == null || !concat.getOpType().equals("Concat")) return out;
        for (int i = 0; i < concat.getInputCount(); i++) {
            String part = concat.getInput(i);
            NodeProto reader = concat;
            int input = i;
            NodeProto p = g.producer.get(part);
            if (p != null && p.getOpType().equals("Unsqueeze")) {   // a scalar constant made 1-D
                reader = p;
                input = 0;
                part = p.getInput(0);
            }
            TensorProto t = g.constant(part);
            if (t != null && t.getDataType() == TensorProto.DataType.INT64_VALUE) addConstant(out, t, g.position.get(reader), input, part);
            else out.add(new Entry(null, null));   // a gathered dimension (batch, sequence): one entry
        }
        return out;
    }

    private static void addConstant(List<Entry> out, TensorProto t, int node, int input, String name) {
        List<Long> v = int64s(t);
        for (int k = 0; k < v.size(); k++) out.add(new Entry(v.get(k), new Slot(node, input, k, false, name, t)));
    }

    /** An int64 tensor's values, from int64_data or raw little-endian bytes. */
    static List<Long> int64s(TensorProto t) {
        List<Long> out = new ArrayList<>(t.getInt64DataList());
        if (out.isEmpty()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (raw.remaining() >= 8) out.add(raw.getLong());
        }
        return out;
    }

    /**
     * Points every slot of layer {@code layer} at a new initializer holding {@code heads} (or heads x headSize),
     * named after the layer; the constants the graph had are left as they were (other nodes may read them).
     */
    static void rewrite(GraphProto.Builder graph, Set<String> taken, int layer, Layer attention, int heads) {
        Map<String, String> made = new HashMap<>();   // one new constant per (original constant, element, kind)
        for (Slot s : attention.slots()) {
            long value = s.width() ? (long) heads * attention.headSize() : heads;
            String key = s.constantName() + "#" + s.element() + "#" + s.width();
            String name = made.get(key);
            if (name == null) {
                name = unique(taken, "ispasp::encoder.layer." + layer + ".attention." + (s.width() ? "width" : "heads"));
                graph.addInitializer(withElement(s.constant(), name, s.element(), value));
                made.put(key, name);
            }
            NodeProto.Builder node = graph.getNodeBuilder(s.node());
            node.setInput(s.input(), name);
        }
    }

    private static String unique(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }

    /** {@code t} (int64) renamed, with element {@code k} set to {@code value}; same dims. */
    private static TensorProto withElement(TensorProto t, String name, int k, long value) {
        List<Long> v = int64s(t);
        v.set(k, value);
        ByteBuffer raw = ByteBuffer.allocate(v.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) raw.putLong(x);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        b.addAllDims(t.getDimsList());
        return b.build();
    }

    /** Every name in the graph (initializers, node outputs, inputs): new initializers must not collide with one. */
    static Set<String> names(GraphProto g) {
        Set<String> s = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) s.add(t.getName());
        for (NodeProto n : g.getNodeList()) s.addAll(n.getOutputList());
        g.getInputList().forEach(i -> s.add(i.getName()));
        return s;
    }
}
