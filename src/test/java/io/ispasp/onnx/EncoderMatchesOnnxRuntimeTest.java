package io.ispasp.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.text.SentenceTokenizer;
import io.ispasp.text.TokenBatch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's encoder forward (libtorch) equals ONNX Runtime on the same ONNX file, on real sentences of different
 * lengths in one padded batch: the last hidden state of every real token within 1e-4 relative.
 */
class EncoderMatchesOnnxRuntimeTest {
    static final Path TOKENIZER = Path.of("datasets/minilm/all-minilm-l6-v2-tokenizer.json");
    static final List<String> SENTENCES = List.of(
            "The cat sat on the mat.",
            "A journey of a thousand miles begins with a single step, or so they say in the old books.",
            "Never put off till tomorrow what you can do the day after tomorrow.",
            "Hi.");

    @TempDir Path dir;

    @Test
    void theRealMiniLmGivesOnnxRuntimesHiddenStates() throws Exception {
        assumeTrue(Files.isRegularFile(OnnxFileTest.MINILM), "run datasets/fetch-minilm.sh to include the real model");
        try (Network net = OnnxEncoder.load(OnnxFileTest.MINILM)) {
            assertEquals("bert layers=6 hidden=384 heads=12 intermediate=1536 vocab=30522 positions=512 types=2 eps=1.0E-12",
                    net.architecture().describe());
            assertMatches(net, OnnxFileTest.MINILM);
        }
    }

    /** Random weights written into the real graph: the equality does not rest on one set of trained weights. */
    @Test
    void aRandomEncoderWrittenIntoTheGraphGivesOnnxRuntimesHiddenStates() throws Exception {
        assumeTrue(Files.isRegularFile(OnnxFileTest.MINILM), "run datasets/fetch-minilm.sh to include the real model");
        ModelProto model = OnnxFile.read(OnnxFileTest.MINILM);
        BertGraph g = BertGraph.recognise(model, "minilm");
        Path file = dir.resolve("random.onnx");
        try (Network dense = OnnxEncoder.network(model, g); Network random = Network.random(dense.architecture(), 7)) {
            OnnxFile.write(OnnxEncoder.withNetwork(model, g, random), file);
            try (Network loaded = OnnxEncoder.load(file)) {
                assertMatches(loaded, file);
            }
        }
    }

    static void assertMatches(Network net, Path onnx) throws Exception {
        TokenBatch batch;
        try (SentenceTokenizer tok = SentenceTokenizer.open(TOKENIZER, 128)) {
            batch = tok.encode(SENTENCES);
        }
        float[][][] ort = onnxRuntime(onnx, batch);
        int n = batch.sentences(), len = batch.length();
        float[] engine;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor ids = Tensors.ofLongs(batch.engineIds()).reshape(n, len);
            engine = Tensors.floats(net.forward(ids).contiguous());
        }
        int hidden = ort[0][0].length;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < len; t++) {
                if (batch.mask()[i][t] == 0) {   // padding: the engine keeps zeros there
                    for (int k = 0; k < hidden; k++) assertEquals(0f, engine[(i * len + t) * hidden + k], 0f);
                    continue;
                }
                double diff = 0, norm = 0;
                for (int k = 0; k < hidden; k++) {
                    double a = ort[i][t][k], b = engine[(i * len + t) * hidden + k];
                    diff += (a - b) * (a - b);
                    norm += a * a;
                }
                worst = Math.max(worst, Math.sqrt(diff / norm));
            }
        }
        assertTrue(worst < 1e-4, "largest relative difference per token " + worst);
    }

    static float[][][] onnxRuntime(Path model, TokenBatch b) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor i = OnnxTensor.createTensor(env, b.ids());
             OnnxTensor m = OnnxTensor.createTensor(env, b.mask());
             OnnxTensor t = OnnxTensor.createTensor(env, b.types());
             OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            return (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
        }
    }
}
