package io.ispasp.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ispasp.io.AtomicFiles;
import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;

/**
 * Reads and writes ONNX model files (one protobuf {@code ModelProto} per file) with protobuf-java and ONNX's schema.
 * <p>Refused with an {@link IOException} naming the file: a missing file, bytes that are not a model (protobuf's
 * own parse error, or no graph), a file beyond protobuf's 2 GiB limit, and weights stored as external data (beside
 * the model, ONNX's form for models above 2 GiB), which the engine does not read yet.
 * <p>Writing goes through {@link AtomicFiles}: a temporary sibling renamed into place, so a failure never leaves a
 * partial model and never damages the file that was there.
 */
public final class OnnxFile {
    /** protobuf's hard limit on one message; ONNX stores larger models as external data. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    private OnnxFile() {}

    /** The model in {@code file}. */
    public static ModelProto read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "ONNX model not found");
        long size = Files.size(file);
        if (size == 0) throw new IOException(file + " is empty, not an ONNX model");
        if (size > MAX_BYTES) {
            throw new IOException(file + " is " + size + " bytes, above protobuf's 2 GiB limit on one ONNX message");
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IOException(file + " is not an ONNX model (no graph with nodes; ir_version " + model.getIrVersion() + ")");
        }
        String external = firstExternal(model.getGraph());
        if (external != null) {
            throw new IOException(file + ": initializer " + external + " is stored as external data, which is not supported; "
                    + "save the model with its weights inside the file");
        }
        return model;
    }

    /** Writes {@code model} to {@code file} atomically; the target's folder must exist. */
    public static void write(ModelProto model, Path file) throws IOException {
        if (model.getSerializedSize() < 0) { // protobuf reports an overflowing size as negative
            throw new IOException("the model is larger than protobuf's 2 GiB limit; cannot write " + file);
        }
        AtomicFiles.write(file, model::writeTo);
    }

    private static String firstExternal(GraphProto graph) {
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) return t.getName();
        }
        return null;
    }
}
