package io.ispasp.bench.latency;

import static io.ispasp.bench.latency.LatencyCommandTest.QUICK;
import static io.ispasp.bench.latency.LatencyCommandTest.assertError;
import static io.ispasp.bench.latency.LatencyCommandTest.latency;
import static io.ispasp.bench.latency.LatencyCommandTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.cli.CliTest;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.onnx.BertGraph;
import io.ispasp.onnx.OnnxFile;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.TensorProto;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real all-MiniLM-L6-v2 (datasets/fetch-minilm.sh; skipped without it) in ONNX Runtime, dense and with every
 * FFN halved to 768 neurons by {@link FfnSlice}: what it loads as, what it counts, and a short timing run.
 */
class MiniLmLatencyTest {
    static final Path MINILM = Path.of("datasets/minilm/all-minilm-l6-v2.onnx");
    static final int LAYERS = 6, HIDDEN = 384, FFN = 1536, HALF = 768;

    @TempDir static Path dir;
    static Path halved;

    @BeforeAll
    static void slice() throws IOException {
        assumeTrue(Files.isRegularFile(MINILM), "run datasets/fetch-minilm.sh to include the real model");
        halved = dir.resolve("minilm-ffn768.onnx");
        OnnxFile.write(FfnSlice.slice(OnnxFile.read(MINILM), HALF), halved);
    }

    @Test
    void theSlicedModelIsAnEncoderWithHalfTheFfnThatOnnxRuntimeRuns() throws IOException {
        BertGraph bert = BertGraph.recognise(OnnxFile.read(halved), halved.toString());
        assertEquals(HALF, bert.intermediate());
        assertEquals(LAYERS, bert.layers());
        assertEquals(12, bert.heads());
        try (LatencyModel m = LatencyModels.open("half", halved, null, 1)) {
            EncoderLatencyModel e = assertInstanceOf(EncoderLatencyModel.class, m);
            e.prepare(2, 16).close(); // runs once and checks the output is [2, 16, 384]
        }
    }

    @Test
    void miniLmLoadsAndCountsItsInitializersAndMultiplyAdds() throws IOException {
        ModelProto model = OnnxFile.read(MINILM);
        long floats = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) floats += t.getDimsList().stream().reduce(1L, (a, b) -> a * b);
        }
        try (LatencyModel dense = LatencyModels.open(MINILM, null); LatencyModel half = LatencyModels.open(halved, null)) {
            EncoderLatencyModel d = assertInstanceOf(EncoderLatencyModel.class, dense);
            EncoderLatencyModel h = assertInstanceOf(EncoderLatencyModel.class, half);
            assertEquals(floats, d.params(), "every float initializer, embeddings included");
            assertEquals(22_565_376, d.params());
            long sliced = (long) LAYERS * (HIDDEN * (FFN - HALF) + (FFN - HALF) + (FFN - HALF) * HIDDEN);
            assertEquals(sliced, d.params() - h.params(), "exactly the sliced weights and biases");

            long perToken = LAYERS * (4L * HIDDEN * HIDDEN + 2L * HIDDEN * FFN); // Q, K, V, attention output; FFN up and down
            for (int seq : new int[] {1, 32, 128}) {
                long attention = LAYERS * 2L * seq * seq * HIDDEN;
                assertEquals(seq * perToken + attention, d.flopsPerSequence(seq), "seq " + seq);
                assertEquals(seq * LAYERS * 2L * HIDDEN * (FFN - HALF), d.flopsPerSequence(seq) - h.flopsPerSequence(seq), "seq " + seq);
            }
            assertEquals(512, d.maxSequence());
            assertTrue(d.description().contains("ONNX Runtime") && d.description().contains("graph optimisation ALL")
                    && d.description().contains("ORT's default intra-op threads"), d.description());
            assertEquals(0, d.sampleShape().length);
            assertFalse(d.flopsPerSample().isPresent(), "per sequence length, not per sample");
        }
    }

    @Test
    void denseVsHalvedWritesARowForEveryModelBatchAndSequenceLength() throws IOException {
        Path out = dir.resolve("out");
        CliTest.Run r = latency(with(QUICK, "--model", "dense=" + MINILM, "--model", "half=" + halved, "--batch", "1,2", "--seq", "8,16",
                "--threads", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| seq ") && r.out().contains("MFLOPs/seq") && r.out().contains("| half "), r.out());

        JsonNode j = new ObjectMapper().readTree(out.resolve("latency.json").toFile());
        assertEquals(1, j.get("onnx_threads").asInt());
        assertEquals("[8,16]", j.get("settings").get("seq_lengths").toString());
        assertEquals("[1,2]", j.get("settings").get("batches").toString());
        JsonNode models = j.get("models");
        assertEquals("[]", models.get(0).get("sample_shape").toString());
        assertTrue(models.get(0).get("flops_per_sample").isNull());
        assertTrue(models.get(1).get("description").asText().contains("FFN 768"), models.get(1).toString());

        JsonNode results = j.get("results");
        assertEquals(2 * 2 * 2, results.size(), "2 models x 2 batch sizes x 2 lengths");
        Set<String> cells = new HashSet<>();
        List<String> order = new ArrayList<>();
        for (JsonNode row : results) {
            String model = row.get("model").asText();
            int batch = row.get("batch").asInt(), seq = row.get("seq").asInt();
            cells.add(model + "/" + batch + "/" + seq);
            order.add(batch + "/" + seq + "/" + model);
            assertTrue(row.get("runs").asInt() >= 3);
            long flops = row.get("flops_per_sample").asLong();
            long ffn = model.equals("dense") ? FFN : HALF;
            assertEquals(seq * LAYERS * (4L * HIDDEN * HIDDEN + 2L * HIDDEN * ffn) + LAYERS * 2L * seq * seq * HIDDEN, flops, row.toString());
            assertEquals(model.equals("dense"), row.get("speedup_vs_first").isNull());
            if (!model.equals("dense")) {
                JsonNode ref = results.get(order.size() - 2); // the dense row of the same (batch, seq), just before
                assertEquals(batch, ref.get("batch").asInt());
                assertEquals(seq, ref.get("seq").asInt());
                assertEquals(ref.get("median_ms").asDouble() / row.get("median_ms").asDouble(), row.get("speedup_vs_first").asDouble(), 1e-9);
                assertEquals((double) flops / ref.get("flops_per_sample").asLong(), row.get("flops_vs_first").asDouble(), 1e-12);
            }
        }
        assertEquals(8, cells.size());
        assertEquals(List.of("1/8/dense", "1/8/half", "1/16/dense", "1/16/half", "2/8/dense", "2/8/half", "2/16/dense", "2/16/half"), order);
        assertNotNull(javax.imageio.ImageIO.read(out.resolve("latency.png").toFile()));
    }

    @Test
    void badSequenceLengthsAndMixedModelsAreOneErrorLine() throws IOException {
        TorchRuntime.init();
        Path mlp = dir.resolve("mlp.ckpt");
        try (Network net = Network.random(Mlp.relu(12, 16, 10), 3)) {
            NetworkCheckpoint.save(net, mlp);
        }
        String o = dir.resolve("never").toString();
        assertError(latency(with(QUICK, "--model", MINILM.toString(), "--seq", "32,600", "--out", o)), 2,
                "--seq 600: " + MINILM + " takes at most 512 tokens");
        assertError(latency(with(QUICK, "--model", MINILM.toString(), "--model", mlp.toString(), "--out", o)), 2,
                MINILM + " is an ONNX text encoder and " + mlp + " is not");
        assertError(latency(with(QUICK, "--model", mlp.toString(), "--seq", "32", "--out", o)), 2, "--seq applies to ONNX text encoders only");
        assertFalse(Files.exists(dir.resolve("never")));
    }
}
