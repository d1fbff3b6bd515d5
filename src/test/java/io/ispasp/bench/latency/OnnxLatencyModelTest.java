package io.ispasp.bench.latency;

import static io.ispasp.bench.latency.LatencyCommandTest.QUICK;
import static io.ispasp.bench.latency.LatencyCommandTest.assertError;
import static io.ispasp.bench.latency.LatencyCommandTest.latency;
import static io.ispasp.bench.latency.LatencyCommandTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.google.protobuf.ByteString;
import io.ispasp.onnx.OnnxFile;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size and cost of an ONNX graph as the latency benchmark counts them, and ONNX files it refuses with one line. */
class OnnxLatencyModelTest {
    @TempDir Path dir;

    /**
     * ids -> Gather(emb [10, 4]) -> MatMul(w1 [4, 3]) -> MatMul(w2 [3, 5]) -> o; o x o^T (two activations); an int64
     * initializer (shape) beside.
     */
    static ModelProto tiny() {
        GraphProto g = GraphProto.newBuilder().setName("tiny")
                .addInitializer(zeros("emb", TensorProto.DataType.FLOAT_VALUE, 10, 4))
                .addInitializer(zeros("w1", TensorProto.DataType.FLOAT_VALUE, 4, 3))
                .addInitializer(zeros("w2", TensorProto.DataType.FLOAT_VALUE, 3, 5))
                .addInitializer(zeros("perm", TensorProto.DataType.INT64_VALUE, 3))
                .addNode(node("Gather", "e", "emb", "ids"))
                .addNode(node("MatMul", "h", "e", "w1"))
                .addNode(node("MatMul", "o", "h", "w2"))
                .addNode(node("Transpose", "ot", "o"))
                .addNode(node("MatMul", "s", "o", "ot"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
    }

    @Test
    void paramsAndMultiplyAddsOfATinyGraphByHand() {
        GraphProto g = tiny().getGraph();
        assertEquals(10 * 4 + 4 * 3 + 3 * 5, OnnxLatencyModel.floatElements(g), "float initializers, the embedding included, not int64 ones");
        assertEquals(4 * 3 + 3 * 5, OnnxLatencyModel.flopsPerToken(g), "MatMuls with an initializer weight only");
        // 5 tokens, two layers with query widths 3 and 2: 5 x 27 per-token + 2 x 25 x 3 + 2 x 25 x 2 for scores and context
        assertEquals(135 + 150 + 100, OnnxLatencyModel.flopsPerSequence(27, new int[] {3, 2}, 5));
        assertEquals(27, OnnxLatencyModel.flopsPerSequence(27, new int[] {3, 2}, 1) - 2 * 3 - 2 * 2);
    }

    @Test
    void anOnnxFileThatIsMissingCorruptOrNoEncoderIsOneErrorLine() throws IOException {
        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "not an ONNX model at all");
        Path truncated = dir.resolve("truncated.onnx");
        byte[] bytes = tiny().toByteArray();
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Path tiny = dir.resolve("tiny.onnx");
        OnnxFile.write(tiny(), tiny);
        Path out = dir.resolve("never");
        String o = out.toString();
        assertError(latency(with(QUICK, "--model", dir.resolve("missing.onnx").toString(), "--out", o)), 1, "missing.onnx");
        assertError(latency(with(QUICK, "--model", junk.toString(), "--out", o)), 1, junk + " is not an ONNX model");
        assertError(latency(with(QUICK, "--model", truncated.toString(), "--out", o)), 1, truncated + " is not an ONNX model");
        assertError(latency(with(QUICK, "--model", tiny.toString(), "--out", o)), 1, tiny + " is not a BERT-family encoder");
        assertError(latency(with(QUICK, "--model", tiny.toString(), "--seq", "8,x", "--out", o)), 2, "--seq: 'x' is not a whole number");
        assertError(latency(with(QUICK, "--model", tiny.toString(), "--seq", "0", "--out", o)), 2, "--seq: 0");
        assertError(latency(with(QUICK, "--model", tiny.toString(), "--shape", "3,8,8", "--out", o)), 2, "--shape does not apply to " + tiny);
        assertFalse(Files.exists(out), "nothing is written on error");
    }

    private static TensorProto zeros(String name, int type, long... dims) {
        long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : dims) t.addDims(d);
        int bytes = type == TensorProto.DataType.INT64_VALUE ? 8 : 4;
        return t.setRawData(ByteString.copyFrom(new byte[(int) (n * bytes)])).build();
    }

    private static NodeProto node(String op, String out, String... in) {
        return NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(Arrays.asList(in)).addOutput(out).build();
    }
}
