package io.ispasp.bench.latency;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.ispasp.onnx.BertGraph;
import io.ispasp.onnx.OnnxFile;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import io.ispasp.onnx.proto.OnnxProto.TensorShapeProto;
import io.ispasp.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * Test helper, until the engine writes pruned encoders itself: a BERT-family ONNX encoder with the FFN of every
 * layer cut to its first {@code k} neurons. Per layer it replaces three initializers: the intermediate MatMul weight
 * [hidden, I] by its first k columns, the intermediate bias [I] by its first k entries, the output MatMul weight
 * [I, hidden] by its first k rows. The MatMul weights are found through {@link BertGraph#weights()} (their names
 * are the exporter's {@code onnx::MatMul_NNN}). Which neurons are kept does not matter to latency.
 * <p>Nothing else in the graph carries I: the FFN has no Reshape, and Hugging Face's export of MiniLM has no
 * value_info. A graph whose value_info or outputs do hold a dimension I is refused rather than sliced wrongly.
 */
final class FfnSlice {
    private FfnSlice() {}

    /**
     * {@code IN.onnx K OUT.onnx}: for smoke runs by hand (bench/results/minilm-latency-smoke.md), with the test classpath:
     * {@code java -cp target/test-classes:target/classes:$(cat target/classpath.txt) io.ispasp.bench.latency.FfnSlice ...}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) throw new IllegalArgumentException("usage: FfnSlice IN.onnx K OUT.onnx");
        OnnxFile.write(slice(OnnxFile.read(Path.of(args[0])), Integer.parseInt(args[1])), Path.of(args[2]));
    }

    static ModelProto slice(ModelProto model, int k) throws IOException {
        BertGraph bert = BertGraph.recognise(model, "the model to slice");
        int width = bert.intermediate();
        if (k < 1 || k > width) throw new IllegalArgumentException("k = " + k + " is not in [1, " + width + "]");
        checkNoShapeCarries(model.getGraph(), width);
        Map<String, TensorProto> replaced = new HashMap<>();
        for (int l = 0; l < bert.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            TensorProto up = bert.weights().get(p + "intermediate.dense.weight");
            TensorProto bias = bert.weights().get(p + "intermediate.dense.bias");
            TensorProto down = bert.weights().get(p + "output.dense.weight");
            replaced.put(up.getName(), sliced(up, up.getDims(0), k, width));        // [hidden, I] -> [hidden, k]
            replaced.put(bias.getName(), sliced(bias, 1, k, width));                // [I] -> [k]
            replaced.put(down.getName(), sliced(down, k, down.getDims(1), down.getDims(1))); // [I, hidden] -> [k, hidden]
        }
        GraphProto.Builder g = model.getGraph().toBuilder();
        int done = 0;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto r = replaced.get(g.getInitializer(i).getName());
            if (r != null) {
                g.setInitializer(i, r);
                done++;
            }
        }
        if (done != replaced.size()) throw new IllegalStateException("replaced " + done + " of " + replaced.size() + " initializers");
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * The leading {@code rows} x {@code cols} block of a float tensor stored row-major with {@code stride} columns,
     * with the dims of the result: [rows, cols], or [cols] for a vector ({@code rows} 1).
     */
    private static TensorProto sliced(TensorProto t, long rows, long cols, long stride) {
        float[] v = floats(t);
        ByteBuffer out = ByteBuffer.allocate((int) (4 * rows * cols)).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r++) for (long c = 0; c < cols; c++) out.putFloat(v[(int) (r * stride + c)]);
        TensorProto.Builder b = t.toBuilder().clearDims().clearFloatData().setRawData(ByteString.copyFrom(out.array()));
        if (t.getDimsCount() == 1) b.addDims(cols);
        else b.addDims(rows).addDims(cols);
        return b.build();
    }

    static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) throw new IllegalArgumentException(t.getName() + " is not float32");
        return io.ispasp.onnx.OnnxEncoder.floats(t);
    }

    private static void checkNoShapeCarries(GraphProto g, int width) {
        for (ValueInfoProto v : g.getValueInfoList()) check(v, width);
        for (ValueInfoProto v : g.getOutputList()) check(v, width);
    }

    private static void check(ValueInfoProto v, int width) {
        if (!v.getType().hasTensorType()) return;
        for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            if (d.hasDimValue() && d.getDimValue() == width) {
                throw new IllegalStateException("value " + v.getName() + " declares a dimension " + width + "; slicing would leave it stale");
            }
        }
    }
}
