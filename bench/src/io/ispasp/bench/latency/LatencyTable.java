package io.ispasp.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report as two Markdown tables (models, then latency per model and batch), readable on a terminal too. */
public final class LatencyTable {
    private LatencyTable() {}

    public static String format(LatencyReport report) {
        String first = report.models().get(0).label();
        List<String[]> models = new ArrayList<>();
        models.add(new String[] {"model", "input", "params", "MFLOPs/sample", "what"});
        for (LatencyReport.ModelInfo m : report.models()) {
            models.add(new String[] {m.label(), LatencyModels.text(m.sampleShape()), String.format(Locale.ROOT, "%,d", m.params()),
                    m.flopsPerSample() == null ? "?" : String.format(Locale.ROOT, "%.1f", m.flopsPerSample() / 1e6), m.description()});
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"model", "batch", "runs", "median ms", "p90 ms", "p99 ms", "min ms", "mean ms", "samples/s",
                "speed-up vs " + first, "FLOPs vs " + first, "other CPU"});
        for (LatencyReport.Row r : report.results()) {
            rows.add(new String[] {r.model(), Integer.toString(r.batch()), Integer.toString(r.runs()), ms(r.medianMs()), ms(r.p90Ms()),
                    ms(r.p99Ms()), ms(r.minMs()), ms(r.meanMs()), String.format(Locale.ROOT, "%.1f", r.throughputPerS()),
                    r.speedupVsFirst() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.speedupVsFirst()),
                    r.flopsVsFirst() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.flopsVsFirst()),
                    r.otherCpu() == null ? "?" : String.format(Locale.ROOT, "%.0f%%", 100 * r.otherCpu())});
        }
        return markdown(models) + "\n" + markdown(rows);
    }

    /** Three significant digits or so: 0.512, 12.34, 345.6. */
    static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.3f" : v < 100 ? "%.2f" : "%.1f", v);
    }

    private static String markdown(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int c = 0; c < cols; c++) w[c] = Math.max(w[c], r[c].length());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            line(sb, rows.get(i), w);
            if (i == 0) {
                String[] rule = new String[cols];
                for (int c = 0; c < cols; c++) rule[c] = "-".repeat(w[c]);
                line(sb, rule, w);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] w) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) sb.append(' ').append(cells[c]).append(" ".repeat(w[c] - cells[c].length())).append(" |");
        sb.append('\n');
    }
}
