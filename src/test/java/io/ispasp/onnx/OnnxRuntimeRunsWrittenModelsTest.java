package io.ispasp.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime accepts the files {@link OnnxFile} writes and computes what their graphs say. */
class OnnxRuntimeRunsWrittenModelsTest {
    @TempDir Path dir;

    @Test
    void aWrittenModelRunsInOnnxRuntimeAndComputesItsGraph() throws Exception {
        ModelProto model = OnnxFileTest.tinyLinear(11);
        Path file = dir.resolve("tiny.onnx");
        OnnxFile.write(model, file);
        float[] w = floats(model.getGraph().getInitializer(0));
        float[] b = floats(model.getGraph().getInitializer(1));
        Random rnd = new Random(3);
        float[][] x = new float[5][4];
        for (float[] row : x) for (int j = 0; j < 4; j++) row[j] = (float) rnd.nextGaussian();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, x);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            float[][] y = (float[][]) result.get(0).getValue();
            assertEquals(5, y.length);
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 3; k++) {
                    double ref = b[k];
                    for (int j = 0; j < 4; j++) ref += (double) x[i][j] * w[j * 3 + k];
                    assertEquals(ref, y[i][k], 1e-5 * (1 + Math.abs(ref)), "y[" + i + "][" + k + "]");
                }
            }
        }
    }

    @Test
    void theRealMiniLmRewrittenGivesOnnxRuntimeTheSameHiddenStates() throws Exception {
        assumeTrue(Files.isRegularFile(OnnxFileTest.MINILM), "run datasets/fetch-minilm.sh to include the real model");
        Path copy = dir.resolve("minilm.onnx");
        OnnxFile.write(OnnxFile.read(OnnxFileTest.MINILM), copy);
        // "[CLS] the cat sat [SEP]" in the model's vocabulary (bert-base-uncased ids)
        long[][] ids = {{101, 1996, 4937, 2938, 102}};
        long[][] mask = {{1, 1, 1, 1, 1}};
        long[][] types = {{0, 0, 0, 0, 0}};
        float[][][] a = hidden(OnnxFileTest.MINILM, ids, mask, types);
        float[][][] c = hidden(copy, ids, mask, types);
        assertEquals(5, a[0].length);
        assertEquals(384, a[0][0].length);
        for (int t = 0; t < 5; t++) {
            assertArrayEquals(a[0][t], c[0][t], 0f);
            for (float v : a[0][t]) assertTrue(Float.isFinite(v));
        }
    }

    private static float[][][] hidden(Path model, long[][] ids, long[][] mask, long[][] types) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor i = OnnxTensor.createTensor(env, ids);
             OnnxTensor m = OnnxTensor.createTensor(env, mask);
             OnnxTensor t = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            return (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
        }
    }

    private static float[] floats(TensorProto t) {
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(out);
        return out;
    }
}
