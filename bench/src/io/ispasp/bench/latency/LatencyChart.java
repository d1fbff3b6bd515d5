package io.ispasp.bench.latency;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * {@code latency.png}: two panels side by side, a group of bars per batch size (per batch size and sequence length
 * for text encoders) and a bar per model in each.
 * Left: median latency of one forward of the whole batch in ms on a log axis (batch 1 and batch 64 differ by more
 * than an order of magnitude), with a whisker up to p90. Right: throughput in samples/s (batch / median) on a
 * linear axis. Plain AWT on a BufferedImage, headless.
 */
public final class LatencyChart {
    static { // first, before any AWT class loads: no display is needed to draw into an image
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;
    /** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
    private static final Color[] COLORS = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
            new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000)};

    private LatencyChart() {}

    /** The chart as PNG bytes, {@code width} x {@code height} pixels. */
    public static byte[] png(LatencyReport report, int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw(g, report, width, height);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this Java runtime");
        return out.toByteArray();
    }

    private static void draw(Graphics2D g, LatencyReport report, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int font = Math.max(9, Math.min(width / 2, height) / 40);

        List<LatencyReport.ModelInfo> models = report.models();
        // a group per batch size, or per (batch size, sequence length) for text encoders: the first model's rows
        List<LatencyReport.Row> cells = report.rowsOf(models.get(0).label());
        int k = models.size(), n = cells.size();
        double[][] median = new double[k][n], p90 = new double[k][n], throughput = new double[k][n];
        for (int s = 0; s < k; s++) {
            List<LatencyReport.Row> rows = report.rowsOf(models.get(s).label());
            for (int b = 0; b < n; b++) {
                LatencyReport.Row r = rows.get(b);
                median[s][b] = r.medianMs();
                p90[s][b] = r.p90Ms();
                throughput[s][b] = r.throughputPerS();
            }
        }
        String[] groups = new String[n];
        for (int b = 0; b < n; b++) {
            LatencyReport.Row c = cells.get(b);
            groups[b] = c.seq() == null ? "batch " + c.batch() : c.batch() + " x " + c.seq(); // short: several cells share a panel
        }

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(font * 1.3f)));
        Object cpu = report.machine().get("cpu");
        String title = "Inference latency, " + threads(report) + (cpu != null ? " (" + cpu + ", " + report.machine().get("cores") + " cores)" : "");
        g.drawString(title, font, font * 2);
        int legendBottom = legend(g, models, font, width, font * 4);

        int top = legendBottom + font;
        Rectangle leftArea = new Rectangle(0, top, width / 2, height - top);
        Rectangle rightArea = new Rectangle(width / 2, top, width - width / 2, height - top);
        String x = report.hasSequences() ? "batch size x sequence length" : "batch size";
        new BarPanel("median latency per batch (whisker: p90)", "ms per forward of the batch (log scale)", x, groups,
                median, p90, true, (s, b, v) -> LatencyTable.ms(v)).draw(g, leftArea, COLORS, font);
        // the speed-up over the first model under each other model's throughput: the figure the chart is for
        String perSecond = report.hasSequences() ? "sequences / s" : "samples / s";
        new BarPanel("throughput at the median latency (speed-up vs " + models.get(0).label() + ")", perSecond, x, groups,
                throughput, null, false, (s, b, v) -> String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v)
                        + (s == 0 ? "" : String.format(Locale.ROOT, "\n%.2fx", v / throughput[0][b]))).draw(g, rightArea, COLORS, font);
    }

    /** Who ran the models with how many threads: libtorch, or ONNX Runtime for ONNX models. */
    private static String threads(LatencyReport report) {
        if (report.onnxThreads() == null) return report.threads() + " libtorch thread" + (report.threads() == 1 ? "" : "s");
        int t = report.onnxThreads();
        return "ONNX Runtime, " + (t == 0 ? "its default threads" : t + " thread" + (t == 1 ? "" : "s"));
    }

    /** A colour box and label per model, wrapped over lines; returns the bottom of the last line. */
    private static int legend(Graphics2D g, List<LatencyReport.ModelInfo> models, int font, int width, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, font));
        int x = font;
        for (int s = 0; s < models.size(); s++) {
            LatencyReport.ModelInfo m = models.get(s);
            String label = m.label() + (m.flopsPerSample() != null ? String.format(Locale.ROOT, " (%.1f MFLOPs)", m.flopsPerSample() / 1e6) : "");
            int w = font * 2 + g.getFontMetrics().stringWidth(label) + font * 2;
            if (x + w > width && x > font) {
                x = font;
                y += font * 2;
            }
            g.setColor(COLORS[s % COLORS.length]);
            g.fillRect(x, y - font, font, font);
            g.setColor(Color.BLACK);
            g.drawString(label, x + font + font / 2, y);
            x += w;
        }
        return y;
    }
}
