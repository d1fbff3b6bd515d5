package io.ispasp.cli;

import static io.ispasp.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning and evaluating a real sentence encoder from the command line: ONNX in, ONNX out, embeddings compared. */
class EncoderCliTest {
    static final Path MINILM = Path.of("datasets/minilm/all-minilm-l6-v2.onnx");
    static final Path TOKENIZER = Path.of("datasets/minilm/all-minilm-l6-v2-tokenizer.json");
    static final List<String> LINES = List.of(
            "The cat sat on the mat.", "A journey of a thousand miles begins with a single step.",
            "Never put off till tomorrow what you can do the day after tomorrow.", "Hi.",
            "Time flies like an arrow; fruit flies like a banana.", "All that glitters is not gold.",
            "You can't have everything. Where would you put it?", "The early bird gets the worm, but the second mouse gets the cheese.",
            "To err is human; to really foul things up requires a computer.", "A penny saved is a penny earned.",
            "Whatever you do, do it well.", "The only thing we have to fear is fear itself.",
            "If at first you don't succeed, skydiving is not for you.", "Knowledge is power.",
            "Silence is golden when you can't think of a good answer.", "Well begun is half done.");

    @TempDir
    static Path dir;
    static Path sentences;

    @BeforeAll
    static void setUp() throws IOException {
        TorchRuntime.init();
        sentences = Files.write(dir.resolve("sentences.txt"), LINES);
    }

    @Test
    void prunesTheFfnsWritesOnnxAndComparesEmbeddings() throws Exception {
        assumeTrue(Files.isRegularFile(MINILM), "run datasets/fetch-minilm.sh to include the real model");
        Path out = dir.resolve("half.onnx"), report = dir.resolve("half.json");
        CliTest.Run r = cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--calib", "12",
                "--ratio", "0.5", "--iters", "4", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals(6, rep.get("units").size());
        assertEquals("layer.0.ffn", rep.get("units").get(0).get("name").asText());
        assertEquals(768, rep.get("units").get(0).get("kept").asInt());
        assertTrue(rep.get("flops").get("after").asLong() < rep.get("flops").get("before").asLong());
        try (Network pruned = ModelFile.load(out)) {
            // --ratio alone leaves the heads (12 per layer) dense
            assertArrayEquals(new int[] {12, 768, 12, 768, 12, 768, 12, 768, 12, 768, 12, 768}, pruned.widths());
        }

        CliTest.Run e = cli("eval", "--model", out.toString(), "--dense", MINILM.toString(), "--tokenizer", TOKENIZER.toString(),
                "--data", sentences.toString(), "--neighbours", "3");
        assertEquals(0, e.code(), e.err());
        JsonNode j = new ObjectMapper().readTree(e.out());
        assertEquals(LINES.size(), j.get("sentences").asInt());
        double cos = j.get("cosine_mean").asDouble();
        assertTrue(cos > 0.5 && cos < 1, "cosine " + cos);
        assertTrue(j.get("cosine_p5").asDouble() <= cos);
        assertTrue(j.has("recall_at_3"));
        assertTrue(j.get("params").asLong() < j.get("params_dense").asLong());

        CliTest.Run same = cli("eval", "--model", MINILM.toString(), "--dense", MINILM.toString(), "--data", sentences.toString(),
                "--neighbours", "3");
        assertEquals(0, same.code(), same.err());
        assertEquals(1.0, new ObjectMapper().readTree(same.out()).get("cosine_mean").asDouble(), 1e-6);
    }

    @Test
    void headsBesideTheFfnsPruneBothKindsAndTheFileLoadsBack() throws Exception {
        assumeTrue(Files.isRegularFile(MINILM), "run datasets/fetch-minilm.sh to include the real model");
        Path out = dir.resolve("heads.onnx"), report = dir.resolve("heads.json");
        CliTest.Run r = cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--calib", "12",
                "--heads", "0.75", "--ratio", "0.5", "--iters", "4", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode units = new ObjectMapper().readTree(report.toFile()).get("units");
        assertEquals(12, units.size());
        assertEquals("layer.0.heads", units.get(0).get("name").asText());
        assertEquals(9, units.get(0).get("kept").asInt());
        assertEquals("layer.0.ffn", units.get(1).get("name").asText());
        assertEquals(768, units.get(1).get("kept").asInt());
        try (Network pruned = ModelFile.load(out)) {
            assertArrayEquals(new int[] {9, 768, 9, 768, 9, 768, 9, 768, 9, 768, 9, 768}, pruned.widths());
        }
        CliTest.Run e = cli("eval", "--model", out.toString(), "--dense", MINILM.toString(), "--data", sentences.toString(),
                "--neighbours", "3");
        assertEquals(0, e.code(), e.err());
        double cos = new ObjectMapper().readTree(e.out()).get("cosine_mean").asDouble();
        assertTrue(cos > 0.3 && cos < 1, "cosine " + cos);
    }

    @Test
    void badRequestsAreOneErrorLineAndWriteNothing() throws Exception {
        assumeTrue(Files.isRegularFile(MINILM), "run datasets/fetch-minilm.sh to include the real model");
        Path ckpt = dir.resolve("enc.ckpt"), rep = dir.resolve("r.json");
        assertRefused(cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--ratio", "0.5",
                "--out", ckpt.toString(), "--report", rep.toString()), "ONNX", ckpt, rep);
        Path out = dir.resolve("gfs.onnx");
        assertRefused(cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--ratio", "0.5", "--method", "gfs",
                "--out", out.toString(), "--report", rep.toString()), "labels", out, rep);
        assertRefused(cli("prune", "--model", MINILM.toString(), "--dataset", "cifar10", "--ratio", "0.5",
                "--out", out.toString(), "--report", rep.toString()), "--dataset text", out, rep);
        Path alone = Files.createDirectories(dir.resolve("alone")).resolve("model.onnx");
        Files.copy(MINILM, alone);
        assertRefused(cli("prune", "--model", alone.toString(), "--data", sentences.toString(), "--ratio", "0.5",
                "--out", out.toString(), "--report", rep.toString()), "tokenizer", out, rep);
        assertRefused(cli("eval", "--model", MINILM.toString(), "--data", sentences.toString()), "--dense");
        assertRefused(cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--heads", "1.5",
                "--out", out.toString(), "--report", rep.toString()), "--heads", out, rep);
        assertRefused(cli("prune", "--model", MINILM.toString(), "--data", sentences.toString(), "--heads", "0.5",
                "--layout", "units:layer.0.ffn=0.5", "--out", out.toString(), "--report", rep.toString()), "--heads", out, rep);
    }

    private static void assertRefused(CliTest.Run r, String mentions, Path... notWritten) {
        assertNotEquals(0, r.code());
        String[] errors = r.errorLines();
        assertEquals(1, errors.length, r.err());
        assertTrue(errors[0].contains(mentions), errors[0]);
        for (Path p : notWritten) assertFalse(Files.exists(p), p + " was written");
    }
}
