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

    /**
     * An encoder pruned in the engine and written as ONNX runs in ONNX Runtime and gives the engine's pruned hidden
     * states, and those equal the dense graph's with the dropped FFN neurons silenced (their weights and bias zero:
     * GELU(0) = 0) and the dropped heads silenced (their value rows and bias zero: their context columns are zero).
     */
    @Test
    void aPrunedEncoderWrittenAsOnnxIsTheDenseOneWithTheDroppedNeuronsSilenced() throws Exception {
        assumeTrue(Files.isRegularFile(OnnxFileTest.MINILM), "run datasets/fetch-minilm.sh to include the real model");
        ModelProto model = OnnxFile.read(OnnxFileTest.MINILM);
        BertGraph g = BertGraph.recognise(model, "minilm");
        java.util.Random rnd = new java.util.Random(11);
        Path prunedFile = dir.resolve("pruned.onnx"), silencedFile = dir.resolve("silenced.onnx");
        try (Network dense = OnnxEncoder.network(model, g)) {
            Network pruned = dense;
            java.util.Map<String, Tensor> silenced = new java.util.LinkedHashMap<>();
            try (PointerScope scope = new PointerScope()) {
                for (var e : dense.state().entrySet()) silenced.put(e.getKey(), e.getValue().clone());
                for (io.ispasp.nn.Unit u : dense.units()) {
                    int n = u.groups();
                    int keep = n / 4 + rnd.nextInt(n / 2);
                    int[] kept = rnd.ints(0, n).distinct().limit(keep).sorted().toArray();
                    java.util.Set<Integer> k = new java.util.HashSet<>();
                    for (int c : kept) k.add(c);
                    int[] dropped = java.util.stream.IntStream.range(0, n).filter(c -> !k.contains(c)).toArray();
                    Network next = io.ispasp.nn.Surgery.keep(pruned, u.index(), kept);
                    if (pruned != dense) pruned.close();
                    pruned = next;
                    Tensor idx = Tensors.indices(u.spec().columnsOf(dropped));   // a head: its value rows and bias
                    silenced.get(u.hidden() + ".weight").index_fill_(0, idx, new org.bytedeco.pytorch.Scalar(0.0));
                    silenced.get(u.hidden() + ".bias").index_fill_(0, idx, new org.bytedeco.pytorch.Scalar(0.0));
                }
                try (Network quiet = Network.fromState(dense.architecture(), silenced)) {
                    OnnxFile.write(OnnxEncoder.withNetwork(model, g, quiet), silencedFile);
                }
                OnnxFile.write(OnnxEncoder.withNetwork(model, g, pruned), prunedFile);
                assertTrue(Files.size(prunedFile) < Files.size(OnnxFileTest.MINILM), "the pruned file is smaller");
                assertMatches(pruned, prunedFile);
                try (Network loaded = OnnxEncoder.load(prunedFile)) {
                    assertEquals(dense.architecture(), loaded.architecture(), "the dense architecture travels in the metadata");
                    org.junit.jupiter.api.Assertions.assertArrayEquals(pruned.widths(), loaded.widths());
                }
            } finally {
                if (pruned != dense) pruned.close();
            }
        }
        TokenBatch batch;
        try (SentenceTokenizer tok = SentenceTokenizer.open(TOKENIZER, 128)) {
            batch = tok.encode(SENTENCES);
        }
        float[][][] a = onnxRuntime(prunedFile, batch), b = onnxRuntime(silencedFile, batch);
        for (int i = 0; i < batch.sentences(); i++) {
            for (int t = 0; t < batch.length(); t++) {
                if (batch.mask()[i][t] == 0) continue;
                double diff = 0, norm = 0;
                for (int k = 0; k < a[i][t].length; k++) {
                    diff += (a[i][t][k] - b[i][t][k]) * (double) (a[i][t][k] - b[i][t][k]);
                    norm += b[i][t][k] * (double) b[i][t][k];
                }
                assertTrue(Math.sqrt(diff / norm) < 1e-4, "sentence " + i + " token " + t + ": pruned vs silenced " + Math.sqrt(diff / norm));
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
