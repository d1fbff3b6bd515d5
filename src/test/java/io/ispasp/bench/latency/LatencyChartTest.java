package io.ispasp.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** The chart is a valid PNG of the requested size, for typical and awkward reports. */
class LatencyChartTest {

    static LatencyReport report(int models, int[] batches) {
        List<LatencyReport.ModelInfo> infos = new ArrayList<>();
        List<LatencyReport.Row> rows = new ArrayList<>();
        for (int m = 0; m < models; m++) {
            infos.add(new LatencyReport.ModelInfo("model-" + m, "m" + m + ".ckpt", "test", new long[] {3, 32, 32}, 1000, m == 1 ? null : 5_000_000L));
        }
        for (int b : batches) {
            for (int m = 0; m < models; m++) {
                double median = b * (1.0 - 0.2 * m) + 0.3;
                rows.add(new LatencyReport.Row("model-" + m, b, null, 10, median, median * 1.1, median * 1.3, median * 0.9, median,
                        b * 1000 / median, m == 0 ? null : 1 / (1.0 - 0.2 * m), null, null, 0.1, new double[] {median}));
            }
        }
        return new LatencyReport(Map.of("cpu", "test cpu", "cores", 2), 2, null,
                new LatencyReport.SettingsInfo(batches, null, 1, 3, 10, "test"), infos, rows);
    }

    @Test
    void writesPngOfTheRequestedSize() throws IOException {
        BufferedImage img = read(LatencyChart.png(report(3, new int[] {1, 8, 64}), LatencyChart.WIDTH, LatencyChart.HEIGHT));
        assertEquals(1000, img.getWidth());
        assertEquals(600, img.getHeight());
        assertEquals(0xFFFFFF, img.getRGB(2, img.getHeight() - 2) & 0xFFFFFF, "white background");
        assertNotEquals(countColour(img, 0x0072B2), 0, "the first model's bars are drawn");
        assertNotEquals(countColour(img, 0xE69F00), 0, "the second model's bars are drawn");
    }

    @Test
    void drawsOneModelOneBatchAndOtherSizes() throws IOException {
        assertEquals(400, read(LatencyChart.png(report(1, new int[] {1}), 400, 300)).getWidth());
        BufferedImage many = read(LatencyChart.png(report(9, new int[] {1, 2, 4, 8, 16, 32, 64, 128}), 1600, 900));
        assertEquals(900, many.getHeight());
    }

    private static BufferedImage read(byte[] png) throws IOException {
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertEquals('N', png[2]);
        assertEquals('G', png[3]);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img, "ImageIO reads it back");
        return img;
    }

    private static int countColour(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
        return n;
    }
}
