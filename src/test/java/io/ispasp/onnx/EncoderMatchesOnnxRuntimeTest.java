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
                assertEquals(unread(model), unread(OnnxFile.read(prunedFile)), "no initializer left behind without a reader");
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

    /**
     * MiniLM rewired so that every layer's attention reads ONE shared initializer for its head count (12) and one for
     * its all-head width (384), as an exporter that dedupes constants writes it: removing heads from one layer must
     * not change the others (the shared constants keep their values), and a pruned file pruned again must too.
     */
    @Test
    void headCountConstantsSharedByEveryLayerAreNotEditedInPlace() throws Exception {
        assumeTrue(Files.isRegularFile(OnnxFileTest.MINILM), "run datasets/fetch-minilm.sh to include the real model");
        ModelProto shared = sharedHeadConstants(OnnxFile.read(OnnxFileTest.MINILM));
        BertGraph g = BertGraph.recognise(shared, "shared");
        Path sharedFile = dir.resolve("shared.onnx"), prunedFile = dir.resolve("shared-pruned.onnx"), againFile = dir.resolve("again.onnx");
        OnnxFile.write(shared, sharedFile);
        try (Network dense = OnnxEncoder.network(shared, g)) {
            assertMatches(dense, sharedFile);   // the rewired graph is still MiniLM
            try (Network pruned = io.ispasp.nn.Surgery.keep(dense, dense.unit("layer.2.heads").index(), new int[] {0, 3, 4, 8, 11})) {
                ModelProto written = OnnxEncoder.withNetwork(shared, g, pruned);
                OnnxFile.write(written, prunedFile);
                assertMatches(pruned, prunedFile);
                for (var t : written.getGraph().getInitializerList()) {
                    if (t.getName().equals("shared::heads")) assertEquals(List.of(12L), HeadShapes.int64s(t));
                    if (t.getName().equals("shared::width")) assertEquals(List.of(384L), HeadShapes.int64s(t));
                }
                BertGraph pg = BertGraph.recognise(written, "pruned");
                assertEquals(5, pg.attention().get(2).heads());
                assertEquals(12, pg.attention().get(1).heads());
                try (Network loaded = OnnxEncoder.network(written, pg);
                     Network once = io.ispasp.nn.Surgery.keep(loaded, loaded.unit("layer.2.heads").index(), new int[] {1, 4});
                     Network twice = io.ispasp.nn.Surgery.keep(once, once.unit("layer.0.heads").index(), new int[] {2, 5, 6, 7})) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(pruned.widths(), loaded.widths());
                    OnnxFile.write(OnnxEncoder.withNetwork(written, pg, twice), againFile);
                    assertMatches(twice, againFile);
                }
            }
        }
    }

    /** {@code model} with the attention's constant 12 and 384 read from one initializer each, shared by every layer. */
    private static ModelProto sharedHeadConstants(ModelProto model) {
        var graph = model.getGraph().toBuilder();
        Map<String, Long> scalars = new java.util.HashMap<>();
        for (var n : graph.getNodeList()) {
            if (!n.getOpType().equals("Constant")) continue;
            for (var a : n.getAttributeList()) {
                if (a.getName().equals("value") && a.getT().getDataType() == 7) {
                    List<Long> v = HeadShapes.int64s(a.getT());
                    if (v.size() == 1) scalars.put(n.getOutput(0), v.get(0));
                }
            }
        }
        int rewired = 0;
        for (int i = 0; i < graph.getNodeCount(); i++) {
            var n = graph.getNodeBuilder(i);
            if (!n.getOpType().equals("Concat") || !n.getName().contains("/attention/self/")) continue;
            for (int j = 0; j < n.getInputCount(); j++) {
                Long v = scalars.get(n.getInput(j));
                if (v == null || v != 12 && v != 384) continue;
                n.setInput(j, v == 12 ? "shared::heads" : "shared::width");
                rewired++;
            }
        }
        assertEquals(6 * 4, rewired, "3 splits and 1 merge per layer");
        for (long v : new long[] {12, 384}) {
            graph.addInitializer(io.ispasp.onnx.proto.OnnxProto.TensorProto.newBuilder().setName(v == 12 ? "shared::heads" : "shared::width")
                    .setDataType(7).addDims(1).addInt64Data(v));
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /** Initializers that no node and no output reads. */
    static java.util.Set<String> unread(ModelProto m) {
        java.util.Set<String> read = new java.util.HashSet<>(), unread = new java.util.TreeSet<>();
        m.getGraph().getNodeList().forEach(n -> read.addAll(n.getInputList()));
        m.getGraph().getOutputList().forEach(o -> read.add(o.getName()));
        m.getGraph().getInitializerList().forEach(t -> { if (!read.contains(t.getName())) unread.add(t.getName()); });
        return unread;
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
