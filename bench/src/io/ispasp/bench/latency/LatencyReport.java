package io.ispasp.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code bench latency} run measured, as written to {@code latency.json} (snake_case keys) and as
 * the table and the chart read it. Times are milliseconds; raw run times are rounded to the microsecond.
 *
 * @param machine     where it ran ({@link io.ispasp.bench.Machine#facts()})
 * @param threads     libtorch intra-op threads
 * @param onnxThreads ONNX Runtime intra-op threads of the ONNX models: --threads, or 0 for ORT's default (one per
 *                    physical core); null when no ONNX model was timed
 * @param settings    how it was timed
 * @param models      the models, the first being the reference of the speed-ups
 * @param results     one row per model and batch size (and sequence length, for text encoders), in batch order, then
 *                    sequence-length order, then model order
 */
public record LatencyReport(Map<String, Object> machine, int threads, Integer onnxThreads, SettingsInfo settings, List<ModelInfo> models,
                            List<Row> results) {

    /** How the run was timed; {@code seqLengths}: the sequence lengths of text encoders, null for other models. */
    public record SettingsInfo(int[] batches, int[] seqLengths, double warmupSeconds, double seconds, int minRuns, String timing) {}

    /**
     * One model.
     *
     * @param sampleShape    one sample's shape; empty for a text encoder, whose sample is a sequence of token ids
     * @param flopsPerSample multiply-adds per sample, null where unknown or, for a text encoder, per row
     */
    public record ModelInfo(String label, String file, String description, long[] sampleShape, long params, Long flopsPerSample) {}

    /**
     * One model at one batch size (and sequence length).
     *
     * @param seq            tokens per sequence for a text encoder; null for other models
     * @param throughputPerS samples (sequences) per second at the median latency (batch / median)
     * @param speedupVsFirst the first model's median over this one's (above 1: faster); null for the first model
     * @param flopsPerSample multiply-adds per sample (per sequence of {@code seq} tokens for a text encoder), null where unknown
     * @param flopsVsFirst   this model's FLOPs over the first one's; null for the first model or where unknown
     * @param otherCpu       share of the machine's CPU time other processes took while this batch size was timed
     *                       (0 to 1; null where unknown): a disturbed measurement shows here
     * @param runMs          every timed run, in the order they ran
     */
    public record Row(String model, int batch, Integer seq, int runs, double medianMs, double p90Ms, double p99Ms, double minMs, double meanMs,
                      double throughputPerS, Double speedupVsFirst, Long flopsPerSample, Double flopsVsFirst, Double otherCpu, double[] runMs) {}

    static final String TIMING = "per batch size (and sequence length): warm-up of each model alone, then rounds of one run per model (order "
            + "reversed every other round) until every model has min_runs runs and seconds of timed work; wall time of "
            + "each forward (System.nanoTime), no-grad, eval mode";

    /**
     * Builds the report; {@code files} are the model files in model order, {@code seqs} the sequence lengths of text
     * encoders (ignored without them), {@code onnxThreads} as the field.
     */
    public static LatencyReport of(Map<String, Object> machine, int threads, Integer onnxThreads, LatencyRunner.Settings settings, int[] batches,
                                   int[] seqs, List<LatencyModel> models, List<String> files, List<LatencyRunner.Measurement> measurements) {
        boolean text = models.stream().anyMatch(m -> m instanceof EncoderLatencyModel);
        List<ModelInfo> infos = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            LatencyModel m = models.get(i);
            Long flops = m.flopsPerSample().isPresent() ? m.flopsPerSample().getAsLong() : null;
            infos.add(new ModelInfo(m.label(), files.get(i), m.description(), m.sampleShape(), m.params(), flops));
        }
        List<Row> rows = new ArrayList<>();
        for (LatencyRunner.Measurement me : measurements) {
            LatencyStats s = me.stats();
            Long flops = flops(models.get(me.model()), me.seq());
            Double speedup = null, flopsRatio = null;
            if (me.model() != 0) {
                LatencyStats first = firstModel(measurements, me.batch(), me.seq()).stats();
                speedup = first.median() / s.median();
                Long f0 = flops(models.get(0), me.seq());
                if (f0 != null && flops != null && f0 > 0) flopsRatio = (double) flops / f0;
            }
            rows.add(new Row(models.get(me.model()).label(), me.batch(), text ? me.seq() : null, s.runs(), s.median(), s.p90(), s.p99(), s.min(),
                    s.mean(), me.batch() * 1000.0 / s.median(), speedup, flops, flopsRatio,
                    Double.isNaN(me.otherCpu()) ? null : Math.round(me.otherCpu() * 1000) / 1000.0, rounded(me.millis())));
        }
        return new LatencyReport(machine, threads, onnxThreads, new SettingsInfo(batches.clone(), text ? seqs.clone() : null,
                settings.warmupSeconds(), settings.seconds(), settings.minRuns(), TIMING), infos, rows);
    }

    /** Multiply-adds per sample of {@code m}, per sequence of {@code seq} tokens for a text encoder; null where unknown. */
    private static Long flops(LatencyModel m, int seq) {
        if (m instanceof EncoderLatencyModel e) return e.flopsPerSequence(seq);
        return m.flopsPerSample().isPresent() ? m.flopsPerSample().getAsLong() : null;
    }

    /** Whether the rows are of text encoders (a batch size and a sequence length each). */
    public boolean hasSequences() {
        return settings.seqLengths() != null;
    }

    /** The rows of one model, in batch order (then sequence-length order). */
    public List<Row> rowsOf(String model) {
        return results.stream().filter(r -> r.model().equals(model)).toList();
    }

    private static LatencyRunner.Measurement firstModel(List<LatencyRunner.Measurement> all, int batch, int seq) {
        return all.stream().filter(m -> m.model() == 0 && m.batch() == batch && m.seq() == seq).findFirst()
                .orElseThrow(() -> new IllegalStateException("no measurement of the first model at batch " + batch + ", seq " + seq));
    }

    private static double[] rounded(double[] ms) {
        double[] r = new double[ms.length];
        for (int i = 0; i < ms.length; i++) r[i] = Math.round(ms[i] * 1000) / 1000.0;
        return r;
    }
}
