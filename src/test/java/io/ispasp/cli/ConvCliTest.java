package io.ispasp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conv nets through the command line: train, prune (layout, FLOPs target, fine-tune), eval, finetune, errors. */
class ConvCliTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path dense;

    @BeforeAll
    static void setUp() throws IOException {
        TorchRuntime.init();
        data = Files.createDirectories(dir.resolve("cifar"));
        writeBatches(data, 96, 48);
        dense = dir.resolve("dense.ckpt");
        CliTest.Run r = CliTest.cli("train", "--arch", "resnet18", "--width", "0.125", "--dataset", "cifar10", "--data",
                data.toString(), "--epochs", "1", "--batch", "32", "--out", dense.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(new ObjectMapper().readTree(r.out()).has("accuracy"));
    }

    /** Official-format binary batches of random images: data_batch_1..5 (train split across them) and test_batch. */
    static void writeBatches(Path d, int train, int test) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        for (int b = 1; b <= 5; b++) Files.write(d.resolve("data_batch_" + b + ".bin"), records(train / 5, r));
        Files.write(d.resolve("test_batch.bin"), records(test, r));
    }

    static byte[] records(int n, SplittableRandom r) {
        byte[] out = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            out[i * 3073] = (byte) r.nextInt(10);
            for (int j = 1; j < 3073; j++) out[i * 3073 + j] = (byte) r.nextInt(256);
        }
        return out;
    }

    @Test
    void pruneWithReferenceLayoutWritesSmallerModelAndReport() throws IOException {
        Path out = dir.resolve("ref.ckpt"), report = dir.resolve("ref.json");
        CliTest.Run r = CliTest.cli("prune", "--model", dense.toString(), "--dataset", "cifar10", "--data", data.toString(),
                "--layout", "blocks:layer2.1=0.5,layer4.1=0.25", "--calib", "16", "--iters", "4", "--finetune-epochs", "1",
                "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals(2, rep.get("units").size());
        assertEquals("layer2.1", rep.get("units").get(0).get("name").asText());
        assertEquals(8, rep.get("units").get(0).get("kept").asInt());
        assertEquals("statistics", rep.get("units").get(0).get("path").asText(), "correlation (the conv default) on a 3x3 B: statistics path");
        assertTrue(rep.get("flops").get("after").asLong() < rep.get("flops").get("before").asLong());
        assertTrue(rep.get("accuracy").has("after_finetune"));
        CliTest.Run e = CliTest.cli("eval", "--model", out.toString(), "--dataset", "cifar10", "--data", data.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(rep.get("flops").get("after").asLong(), new ObjectMapper().readTree(e.out()).get("flops").asLong());
        CliTest.Run f = CliTest.cli("finetune", "--model", out.toString(), "--dataset", "cifar10", "--data", data.toString(),
                "--epochs", "1", "--out", dir.resolve("ft.ckpt").toString());
        assertEquals(0, f.code(), f.err());
    }

    @Test
    void flopsTargetIsMet() throws IOException {
        Path report = dir.resolve("f.json");
        CliTest.Run r = CliTest.cli("prune", "--model", dense.toString(), "--dataset", "cifar10", "--data", data.toString(),
                "--flops-target", "0.8", "--method", "magnitude", "--calib", "16", "--out", dir.resolve("f.ckpt").toString(),
                "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertTrue(rep.get("flops").get("after").asDouble() <= 0.8 * rep.get("flops").get("before").asDouble());
        assertEquals(0.8, rep.get("flops_target").asDouble());
    }

    @Test
    void badInputGetsOneErrorLine() {
        String[][] cases = {
                {"prune", "--model", dense.toString(), "--dataset", "cifar10", "--data", data.toString(), "--layout",
                        "blocks:layer9.1=0.5", "--out", dir.resolve("x.ckpt").toString(), "--report", dir.resolve("x.json").toString()},
                {"prune", "--model", dense.toString(), "--dataset", "cifar10", "--data", data.toString(), "--ratio", "1.5",
                        "--out", dir.resolve("x.ckpt").toString(), "--report", dir.resolve("x.json").toString()},
                {"eval", "--model", dense.toString(), "--dataset", "cifar10", "--data", dir.resolve("missing").toString()},
                {"train", "--arch", "vgg17", "--dataset", "cifar10", "--data", data.toString(), "--out", dir.resolve("v.ckpt").toString()},
                {"eval", "--model", dense.toString(), "--dataset", "mnist", "--data", data.toString()},
        };
        String[] expect = {"layer9.1", "1.5", "missing", "vgg17", "mnist"};
        for (int i = 0; i < cases.length; i++) {
            CliTest.Run r = CliTest.cli(cases[i]);
            assertTrue(r.code() != 0, String.join(" ", cases[i]));
            assertEquals(1, r.errorLines().length, r.err());
            assertTrue(r.errorLines()[0].contains(expect[i]), r.errorLines()[0]);
        }
        assertTrue(Files.notExists(dir.resolve("x.ckpt")));
    }

    /** Calibration images need no labels: a flat folder of photos of any size prunes the model; GFS, which scores the loss, says it needs labels. */
    @Test
    void anImageFolderWithoutLabelsCalibratesThePruning() throws IOException {
        Path photos = writePhotos(dir.resolve("photos"));
        Path out = dir.resolve("img.ckpt"), report = dir.resolve("img.json");
        CliTest.Run r = CliTest.cli("prune", "--model", dense.toString(), "--dataset", "images", "--data", photos.toString(),
                "--input", "32", "--ratio", "0.5", "--iters", "3", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals(12, rep.get("calibration").asInt());
        assertEquals(8, rep.get("units").size(), "every BasicBlock of resnet18");
        assertTrue(rep.get("accuracy").get("before").isNull(), "no labels, no accuracy");
        CliTest.Run g = CliTest.cli("prune", "--model", dense.toString(), "--dataset", "images", "--data", photos.toString(),
                "--input", "32", "--ratio", "0.5", "--method", "gfs", "--out", dir.resolve("g.ckpt").toString(),
                "--report", dir.resolve("g.json").toString());
        assertEquals(2, g.code(), g.err());
        assertEquals(1, g.errorLines().length, g.err());
        assertTrue(g.errorLines()[0].contains("--method gfs needs labels"), g.err());
    }

    /**
     * The photos decode while the prune already runs on the first ones: one that cannot be decoded ends the run with
     * one error line naming it, and nothing is written.
     */
    @Test
    void anUndecodablePhotoEndsThePruneNamingItAndWritesNothing() throws IOException {
        Path photos = writePhotos(dir.resolve("photos-bad"));
        Path bad = Files.write(photos.resolve("p9z.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Path out = photos.resolve("bad.ckpt"), report = photos.resolve("bad.json");
        CliTest.Run r = CliTest.cli("prune", "--model", dense.toString(), "--dataset", "images", "--data", photos.toString(),
                "--input", "32", "--ratio", "0.5", "--iters", "3", "--out", out.toString(), "--report", report.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.errorLines().length, r.err());
        assertTrue(r.errorLines()[0].contains(bad.toString()), r.errorLines()[0]);
        try (java.util.stream.Stream<Path> left = Files.list(photos)) {
            assertEquals(13, left.count(), "only the 12 photos and the bad file: no output, no temporary file");
        }
    }

    /** Twelve PNG photos of different sizes and random pixels in {@code folder}, p0.png .. p11.png. */
    private static Path writePhotos(Path folder) throws IOException {
        Files.createDirectories(folder);
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 12; i++) {
            int w = 24 + 7 * i, h = 40 + 3 * i;
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rnd.nextInt(1 << 24));
            javax.imageio.ImageIO.write(img, "png", folder.resolve("p" + i + ".png").toFile());
        }
        return folder;
    }
}
