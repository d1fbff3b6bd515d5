package io.ispasp.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import com.google.protobuf.ByteString;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import io.ispasp.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.ispasp.onnx.proto.OnnxProto.StringStringEntryProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import io.ispasp.onnx.proto.OnnxProto.TensorShapeProto;
import io.ispasp.onnx.proto.OnnxProto.TypeProto;
import io.ispasp.onnx.proto.OnnxProto.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing ONNX files: round trips, refusals with the file's name, the real MiniLM when fetched. */
class OnnxFileTest {
    /** datasets/fetch-minilm.sh puts it there; the test that needs it is skipped without it. */
    static final Path MINILM = Path.of("datasets/minilm/all-minilm-l6-v2.onnx");

    @TempDir Path dir;

    /** y = x W + b for x of shape [batch, 4], W [4, 3], b [3], with random weights. */
    static ModelProto tinyLinear(long seed) {
        Random rnd = new Random(seed);
        TensorProto w = floats("W", new long[] {4, 3}, rnd);
        TensorProto b = floats("b", new long[] {3}, rnd);
        GraphProto graph = GraphProto.newBuilder().setName("tiny")
                .addInput(input("x", -1, 4)).addOutput(input("y", -1, 3))
                .addInitializer(w).addInitializer(b)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("W").addOutput("xw"))
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("xw").addInput("b").addOutput("y"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("ispasp-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("seed").setValue(Long.toString(seed)))
                .setGraph(graph).build();
    }

    private static TensorProto floats(String name, long[] dims, Random rnd) {
        int n = (int) Arrays.stream(dims).reduce(1, (a, c) -> a * c);
        ByteBuffer raw = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) raw.putFloat((float) rnd.nextGaussian());
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        return t.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    private static ValueInfoProto input(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    @Test
    void aWrittenModelReadsBackEqualAndTheFileHoldsItsExactBytes() throws IOException {
        ModelProto model = tinyLinear(7);
        Path file = dir.resolve("tiny.onnx");
        OnnxFile.write(model, file);
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(file));
        ModelProto back = OnnxFile.read(file);
        assertEquals(model, back);
        assertEquals(2, back.getGraph().getNodeCount());
        assertEquals(java.util.List.of(4L, 3L), back.getGraph().getInitializer(0).getDimsList());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside the model");
        }
    }

    @Test
    void writingOverAnExistingModelReplacesItWhole() throws IOException {
        Path file = dir.resolve("m.onnx");
        OnnxFile.write(tinyLinear(1), file);
        OnnxFile.write(tinyLinear(2), file);
        assertEquals(tinyLinear(2), OnnxFile.read(file));
    }

    @Test
    void missingEmptyAndCorruptFilesAreRefusedNamingTheFile() throws IOException {
        Path missing = dir.resolve("none.onnx");
        assertThrows(NoSuchFileException.class, () -> OnnxFile.read(missing));

        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        IOException e = assertThrows(IOException.class, () -> OnnxFile.read(empty));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("empty"), e.getMessage());

        byte[] whole = tinyLinear(3).toByteArray();
        // cut inside the graph (most of the bytes); protobuf has no end marker, so a cut between two top-level
        // fields would parse as a smaller message: a cut before the graph is caught as "no graph" below
        Path truncated = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(IOException.class, () -> OnnxFile.read(truncated));
        assertTrue(e.getMessage().startsWith(truncated + " is not an ONNX model"), e.getMessage());

        byte[] text = "this is a text file, not a protobuf message\n".getBytes();
        Path notModel = Files.write(dir.resolve("text.onnx"), text);
        e = assertThrows(IOException.class, () -> OnnxFile.read(notModel));
        assertTrue(e.getMessage().startsWith(notModel + " is not an ONNX model"), e.getMessage());
    }

    @Test
    void aMessageWithoutAGraphIsNotAModel() throws IOException {
        Path file = dir.resolve("nograph.onnx");
        Files.write(file, ModelProto.newBuilder().setIrVersion(8).build().toByteArray());
        IOException e = assertThrows(IOException.class, () -> OnnxFile.read(file));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
    }

    @Test
    void weightsStoredAsExternalDataAreRefusedNamingTheInitializer() throws IOException {
        ModelProto model = tinyLinear(4);
        TensorProto external = model.getGraph().getInitializer(1).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")).build();
        ModelProto withExternal = model.toBuilder().setGraph(model.getGraph().toBuilder().setInitializer(1, external)).build();
        Path file = dir.resolve("external.onnx");
        OnnxFile.write(withExternal, file);
        IOException e = assertThrows(IOException.class, () -> OnnxFile.read(file));
        assertTrue(e.getMessage().contains("initializer b") && e.getMessage().contains("external data"), e.getMessage());
    }

    @Test
    void theRealMiniLmRoundTripsByteForByte() throws IOException {
        assumeTrue(Files.isRegularFile(MINILM), "run datasets/fetch-minilm.sh to include the real model");
        ModelProto model = OnnxFile.read(MINILM);
        assertArrayEquals(Files.readAllBytes(MINILM), model.toByteArray(), "parse and serialise change nothing");
        GraphProto g = model.getGraph();
        assertEquals(java.util.List.of("input_ids", "attention_mask", "token_type_ids"),
                g.getInputList().stream().map(ValueInfoProto::getName).toList());
        assertEquals("last_hidden_state", g.getOutput(0).getName());
        assertEquals(6, g.getInitializerList().stream().filter(t -> t.getName().endsWith("intermediate.dense.bias")).count());
        assertEquals(48, g.getNodeList().stream().filter(n -> n.getOpType().equals("MatMul")).count(), "6 layers x 8 MatMuls");
    }
}
