package io.ispasp.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report as two Markdown tables (models, then latency per model and batch), readable on a terminal too. For
 * text encoders each row is a batch size and a sequence length, with the multiply-adds per sequence at that length.
 */
public final class LatencyTable {
    private LatencyTable() {}

    public static String format(LatencyReport report) {
        String first = report.models().get(0).label();
        boolean seq = report.hasSequences();
        List<String[]> models = new ArrayList<>();
        models.add(new String[] {"model", "input", "params", "MFLOPs/sample", "what"});
        for (LatencyReport.ModelInfo m : report.models()) {
            String input = seq ? "token ids" : LatencyModels.text(m.sampleShape());
            String flops = m.flopsPerSample() != null ? mflops(m.flopsPerSample()) : seq ? "per seq, below" : "?";
            models.add(new String[] {m.label(), input, String.format(Locale.ROOT, "%,d", m.params()), flops, m.description()});
        }
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("model", "batch"));
        if (seq) head.add("seq");
        head.addAll(List.of("runs", "median ms", "p90 ms", "p99 ms", "min ms", "mean ms", seq ? "seqs/s" : "samples/s", "speed-up vs " + first));
        if (seq) head.add("MFLOPs/seq");
        head.addAll(List.of("FLOPs vs " + first, "other CPU"));
        rows.add(head.toArray(new String[0]));
        for (LatencyReport.Row r : report.results()) {
            List<String> cells = new ArrayList<>(List.of(r.model(), Integer.toString(r.batch())));
            if (seq) cells.add(String.valueOf(r.seq()));
            cells.addAll(List.of(Integer.toString(r.runs()), ms(r.medianMs()), ms(r.p90Ms()), ms(r.p99Ms()), ms(r.minMs()), ms(r.meanMs()),
                    String.format(Locale.ROOT, "%.1f", r.throughputPerS()),
                    r.speedupVsFirst() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.speedupVsFirst())));
            if (seq) cells.add(r.flopsPerSample() == null ? "?" : mflops(r.flopsPerSample()));
            cells.addAll(List.of(r.flopsVsFirst() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.flopsVsFirst()),
                    r.otherCpu() == null ? "?" : String.format(Locale.ROOT, "%.0f%%", 100 * r.otherCpu())));
            rows.add(cells.toArray(new String[0]));
        }
        return markdown(models) + "\n" + markdown(rows);
    }

    private static String mflops(long flops) {
        return String.format(Locale.ROOT, "%.1f", flops / 1e6);
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
