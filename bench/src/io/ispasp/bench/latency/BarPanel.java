package io.ispasp.bench.latency;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.AffineTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One grouped bar chart: a group per batch size, a bar per model, an optional whisker on each bar, the bar's value
 * written above it, and a linear or log10 y axis with labelled grid lines.
 *
 * @param title      panel title, above the plot
 * @param yTitle     y-axis title (with units)
 * @param xTitle     x-axis title
 * @param groups     group labels along x
 * @param values     bar heights [series][group], all > 0 for a log axis
 * @param whiskers   whisker tops [series][group] (>= the bar), or null for none
 * @param log        log10 y axis (for values spanning decades) instead of linear from 0
 * @param valueLabel what is written above a bar: one or more lines ('\n')
 */
record BarPanel(String title, String yTitle, String xTitle, String[] groups, double[][] values, double[][] whiskers, boolean log,
                Label valueLabel) {

    /** The text above the bar of series {@code s} in group {@code g}. */
    @FunctionalInterface
    interface Label {
        String text(int s, int g, double value);
    }

    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    private static final Color TEXT = new Color(0x22, 0x22, 0x22);

    void draw(Graphics2D g, Rectangle area, Color[] colors, int fontSize) {
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        Font small = base.deriveFont(fontSize * 0.85f);
        Font bold = base.deriveFont(Font.BOLD);
        int left = fontSize * 5, bottom = fontSize * 4, top = fontSize * 3, right = fontSize;
        Rectangle plot = new Rectangle(area.x + left, area.y + top, area.width - left - right, area.height - top - bottom);

        g.setColor(TEXT);
        g.setFont(bold);
        centre(g, title, area.x + area.width / 2, area.y + fontSize + 2);

        double[] range = range();
        Scale y = log ? new Scale(Math.log10(range[0]), Math.log10(range[1]), true) : new Scale(0, range[1], false);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(range)) {
            int py = plot.y + plot.height - (int) Math.round(y.fraction(t) * plot.height);
            g.setColor(GRID);
            g.drawLine(plot.x, py, plot.x + plot.width, py);
            g.setColor(TEXT);
            String s = tickLabel(t);
            g.drawString(s, plot.x - 6 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }

        int k = values.length, n = groups.length;
        double groupWidth = (double) plot.width / n;
        double barWidth = groupWidth * 0.8 / k;
        List<String> labels = new ArrayList<>();
        for (int s = 0; s < k; s++) for (int gi = 0; gi < n; gi++) labels.addAll(List.of(valueLabel.text(s, gi, values[s][gi]).split("\n")));
        Font labelFont = fitting(g, small, labels, (int) barWidth - 4); // one size for all, with a gap between neighbours
        for (int gi = 0; gi < n; gi++) {
            double x0 = plot.x + gi * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < k; s++) {
                int bx = (int) Math.round(x0 + s * barWidth), bw = Math.max(1, (int) Math.round(barWidth) - 2);
                int by = plot.y + plot.height - (int) Math.round(y.fraction(values[s][gi]) * plot.height);
                g.setColor(colors[s % colors.length]);
                g.fillRect(bx, by, bw, plot.y + plot.height - by);
                int labelY = by;
                if (whiskers != null) {
                    int wy = plot.y + plot.height - (int) Math.round(y.fraction(whiskers[s][gi]) * plot.height);
                    int cx = bx + bw / 2, half = Math.max(2, bw / 4);
                    g.setColor(TEXT);
                    g.setStroke(new BasicStroke(1.5f));
                    g.drawLine(cx, by, cx, wy);
                    g.drawLine(cx - half, wy, cx + half, wy);
                    g.setStroke(new BasicStroke(1f));
                    labelY = Math.min(by, wy);
                }
                g.setColor(TEXT);
                g.setFont(labelFont);
                String[] lines = valueLabel.text(s, gi, values[s][gi]).split("\n");
                int lineHeight = g.getFontMetrics().getHeight();
                for (int i = 0; i < lines.length; i++) centre(g, lines[i], bx + bw / 2, labelY - 4 - (lines.length - 1 - i) * lineHeight);
                g.setFont(small);
            }
            g.setFont(base);
            centre(g, groups[gi], (int) Math.round(plot.x + (gi + 0.5) * groupWidth), plot.y + plot.height + fontSize + 6);
            g.setFont(small);
        }

        g.setColor(TEXT);
        g.drawLine(plot.x, plot.y, plot.x, plot.y + plot.height);
        g.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);
        g.setFont(base);
        centre(g, xTitle, plot.x + plot.width / 2, plot.y + plot.height + fontSize * 3);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, area.x + fontSize, plot.y + plot.height / 2.0);
        centre(g, yTitle, area.x + fontSize, plot.y + plot.height / 2 + fontSize / 2);
        g.setTransform(saved);
    }

    /** [low, high] of the y axis: whole decades around the data (log), or 0 to a round value above it (linear). */
    private double[] range() {
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (int s = 0; s < values.length; s++) {
            for (int gi = 0; gi < groups.length; gi++) {
                min = Math.min(min, values[s][gi]);
                max = Math.max(max, whiskers != null ? Math.max(values[s][gi], whiskers[s][gi]) : values[s][gi]);
            }
        }
        if (!(max > 0)) max = 1;
        if (log) {
            if (!(min > 0) || min == Double.POSITIVE_INFINITY) min = max / 10;
            double lo = Math.pow(10, Math.floor(Math.log10(min)));
            double hi = Math.pow(10, Math.ceil(Math.log10(max * 1.5))); // room for the labels above the bars
            return new double[] {lo, Math.max(hi, lo * 10)};
        }
        double step = niceStep(max * 1.2 / 5);
        return new double[] {0, Math.ceil(max * 1.2 / step) * step};
    }

    /** Grid lines: 1, 2, 5 per decade (only the decades when there are more than three), or about five round steps. */
    private List<Double> ticks(double[] range) {
        List<Double> t = new ArrayList<>();
        if (log) {
            int decades = (int) Math.round(Math.log10(range[1] / range[0]));
            for (double d = range[0]; d < range[1] * 1.001; d *= 10) {
                t.add(d);
                if (decades <= 3 && d * 10 < range[1] * 1.001) {
                    t.add(2 * d);
                    t.add(5 * d);
                }
            }
            return t;
        }
        double step = niceStep(range[1] / 5);
        for (double v = 0; v <= range[1] * 1.001; v += step) t.add(v);
        return t;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }

    private static String tickLabel(double v) {
        if (v == 0) return "0";
        if (v >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (v >= 1) return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v).replaceAll("0+$", "");
    }

    /** {@code font}, made smaller (down to 7 points) until every line fits in {@code width} pixels: labels of neighbouring bars do not overlap. */
    private static Font fitting(Graphics2D g, Font font, List<String> lines, int width) {
        Font f = font;
        while (f.getSize2D() > 7 && widest(g.getFontMetrics(f), lines) > width) f = f.deriveFont(f.getSize2D() - 0.5f);
        return f;
    }

    private static int widest(FontMetrics fm, List<String> lines) {
        int w = 0;
        for (String l : lines) w = Math.max(w, fm.stringWidth(l));
        return w;
    }

    private static void centre(Graphics2D g, String s, int x, int baseline) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    /** Where a value sits on the axis, as a fraction of the plot height. */
    private record Scale(double lo, double hi, boolean log) {
        double fraction(double v) {
            double x = log ? Math.log10(Math.max(v, Math.pow(10, lo))) : v;
            return Math.max(0, Math.min(1, (x - lo) / (hi - lo)));
        }
    }
}
