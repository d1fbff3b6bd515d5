package io.ispasp.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code bench latency} run measured, as written to {@code latency.json} (snake_case keys) and as
 * the table and the chart read it. Times are milliseconds; raw run times are rounded to the microsecond.
 *
 * @param machine  where it ran ({@link io.ispasp.bench.Machine#facts()})
 * @param threads  libtorch intra-op threads
 * @param settings how it was timed
 * @param models   the models, the first being the reference of the speed-ups
 * @param results  one row per model and batch size, in batch order, then model order
 */
public record LatencyReport(Map<String, Object> machine, int threads, SettingsInfo settings, List<ModelInfo> models, List<Row> results) {

    /** How the run was timed. */
    public record SettingsInfo(int[] batches, double warmupSeconds, double seconds, int minRuns, String timing) {}

    /**
     * One model.
     *
     * @param flopsPerSample multiply-adds per sample, null where unknown
     */
    public record ModelInfo(String label, String file, String description, long[] sampleShape, long params, Long flopsPerSample) {}

    /**
     * One model at one batch size.
     *
     * @param throughputPerS samples per second at the median latency (batch / median)
     * @param speedupVsFirst the first model's median over this one's (above 1: faster); null for the first model
     * @param flopsVsFirst   this model's FLOPs over the first one's; null for the first model or where unknown
     * @param otherCpu       share of the machine's CPU time other processes took while this batch size was timed
     *                       (0 to 1; null where unknown): a disturbed measurement shows here
     * @param runMs          every timed run, in the order they ran
     */
    public record Row(String model, int batch, int runs, double medianMs, double p90Ms, double p99Ms, double minMs, double meanMs,
                      double throughputPerS, Double speedupVsFirst, Double flopsVsFirst, Double otherCpu, double[] runMs) {}

    static final String TIMING = "per batch size: warm-up of each model alone, then rounds of one run per model (order "
            + "reversed every other round) until every model has min_runs runs and seconds of timed work; wall time of "
            + "each forward (System.nanoTime), no-grad, eval mode";

    /** Builds the report; {@code files} are the model files in model order. */
    public static LatencyReport of(Map<String, Object> machine, int threads, LatencyRunner.Settings settings, int[] batches,
                                   List<LatencyModel> models, List<String> files, List<LatencyRunner.Measurement> measurements) {
        List<ModelInfo> infos = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            LatencyModel m = models.get(i);
            Long flops = m.flopsPerSample().isPresent() ? m.flopsPerSample().getAsLong() : null;
            infos.add(new ModelInfo(m.label(), files.get(i), m.description(), m.sampleShape(), m.params(), flops));
        }
        List<Row> rows = new ArrayList<>();
        for (LatencyRunner.Measurement me : measurements) {
            LatencyStats s = me.stats();
            Double speedup = null, flopsRatio = null;
            if (me.model() != 0) {
                LatencyStats first = firstModel(measurements, me.batch()).stats();
                speedup = first.median() / s.median();
                Long f0 = infos.get(0).flopsPerSample(), f = infos.get(me.model()).flopsPerSample();
                if (f0 != null && f != null && f0 > 0) flopsRatio = (double) f / f0;
            }
            rows.add(new Row(models.get(me.model()).label(), me.batch(), s.runs(), s.median(), s.p90(), s.p99(), s.min(), s.mean(),
                    me.batch() * 1000.0 / s.median(), speedup, flopsRatio, Double.isNaN(me.otherCpu()) ? null : Math.round(me.otherCpu() * 1000) / 1000.0,
                    rounded(me.millis())));
        }
        return new LatencyReport(machine, threads,
                new SettingsInfo(batches.clone(), settings.warmupSeconds(), settings.seconds(), settings.minRuns(), TIMING), infos, rows);
    }

    /** The rows of one model, in batch order. */
    public List<Row> rowsOf(String model) {
        return results.stream().filter(r -> r.model().equals(model)).toList();
    }

    private static LatencyRunner.Measurement firstModel(List<LatencyRunner.Measurement> all, int batch) {
        return all.stream().filter(m -> m.model() == 0 && m.batch() == batch).findFirst()
                .orElseThrow(() -> new IllegalStateException("no measurement of the first model at batch " + batch));
    }

    private static double[] rounded(double[] ms) {
        double[] r = new double[ms.length];
        for (int i = 0; i < ms.length; i++) r[i] = Math.round(ms[i] * 1000) / 1000.0;
        return r;
    }
}
