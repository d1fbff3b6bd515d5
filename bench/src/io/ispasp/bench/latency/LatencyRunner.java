package io.ispasp.bench.latency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times inference of several models at several batch sizes.
 * <p>Per batch size: each model is warmed up on its own (at least {@link #MIN_WARMUP_RUNS} runs and
 * {@code warmupSeconds}), then the models are timed in rounds, one run of each per round, until every model has at
 * least {@code minRuns} runs and {@code seconds} of timed work. Rounds (rather than all runs of one model, then all
 * of the next) make the slow drifts of a shared machine (other processes, clock changes) hit every model alike; the
 * order within a round is reversed every other round (A B, B A, ...) so that no model always runs right after the
 * same other one. All models of a batch size therefore get the same number of runs, and the fastest decides when
 * the timing stops.
 * <p>Every model of a given sample shape gets the same input: standard normal values, seeded by batch size.
 */
public final class LatencyRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LatencyRunner.class);
    static final int MIN_WARMUP_RUNS = 2;

    /** How long to warm up and to time; {@code minRuns} >= 1. */
    public record Settings(double warmupSeconds, double seconds, int minRuns) {
        public Settings {
            if (!(warmupSeconds >= 0) || !Double.isFinite(warmupSeconds)) throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
            if (!(seconds >= 0) || !Double.isFinite(seconds)) throw new IllegalArgumentException("--seconds must be >= 0, got " + seconds);
            if (minRuns < 1) throw new IllegalArgumentException("--min-runs must be >= 1, got " + minRuns);
        }
    }

    /**
     * The run times of one model at one batch size, in milliseconds, in the order they ran, and the share of the
     * machine's CPU time other processes took while this batch size was timed (NaN where unknown).
     */
    public record Measurement(int model, int batch, double[] millis, double otherCpu) {
        public LatencyStats stats() { return LatencyStats.of(millis); }
    }

    private final Settings settings;

    public LatencyRunner(Settings settings) {
        this.settings = settings;
    }

    /** Measurements in batch order, then model order. */
    public List<Measurement> run(List<LatencyModel> models, int[] batches) {
        List<Measurement> out = new ArrayList<>();
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int batch : batches) {
                Map<String, Tensor> inputs = new HashMap<>();
                try {
                    List<Tensor> x = new ArrayList<>();
                    for (LatencyModel m : models) x.add(inputs.computeIfAbsent(Arrays.toString(m.sampleShape()), k -> input(batch, m.sampleShape())));
                    out.addAll(timeBatch(models, x, batch));
                } finally {
                    for (Tensor t : inputs.values()) t.releaseReference();
                }
            }
        }
        return out;
    }

    private List<Measurement> timeBatch(List<LatencyModel> models, List<Tensor> x, int batch) {
        int k = models.size();
        for (int i = 0; i < k; i++) warmUp(models.get(i), x.get(i), batch);
        OtherCpu others = OtherCpu.start();
        List<List<Double>> times = new ArrayList<>();
        double[] total = new double[k];
        for (int i = 0; i < k; i++) times.add(new ArrayList<>());
        for (int round = 0; !done(times, total); round++) {
            for (int j = 0; j < k; j++) {
                int i = round % 2 == 0 ? j : k - 1 - j;
                double ms = timeOnce(models.get(i), x.get(i));
                times.get(i).add(ms);
                total[i] += ms / 1000;
            }
        }
        double otherCpu = others.share().orElse(Double.NaN);
        List<Measurement> out = new ArrayList<>();
        StringBuilder line = new StringBuilder("batch " + batch + ":");
        for (int i = 0; i < k; i++) {
            double[] ms = times.get(i).stream().mapToDouble(Double::doubleValue).toArray();
            out.add(new Measurement(i, batch, ms, otherCpu));
            line.append(String.format(" %s %.3f ms median,", models.get(i).label(), LatencyStats.of(ms).median()));
        }
        LOG.info("{} {} runs each; other processes took {}% of the CPU time meanwhile", line, times.get(0).size(),
                Double.isNaN(otherCpu) ? "?" : String.format("%.0f", 100 * otherCpu));
        return out;
    }

    private boolean done(List<List<Double>> times, double[] total) {
        for (int i = 0; i < total.length; i++) {
            if (times.get(i).size() < settings.minRuns() || total[i] < settings.seconds()) return false;
        }
        return true;
    }

    /** Runs until both the warm-up time and run count are reached; checks once that the output has the batch's rows. */
    private void warmUp(LatencyModel m, Tensor x, int batch) {
        long start = System.nanoTime();
        for (int run = 0; run < MIN_WARMUP_RUNS || (System.nanoTime() - start) / 1e9 < settings.warmupSeconds(); run++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor y;
                try {
                    y = m.forward(x);
                } catch (RuntimeException e) { // libtorch errors (e.g. a wrong --shape) come with several lines of C++ trace
                    throw new IllegalStateException(m.label() + " failed on an input of shape " + Arrays.toString(x.shape()) + ": "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
                }
                if (run == 0 && (y.dim() < 1 || y.size(0) != batch)) {
                    throw new IllegalStateException(m.label() + " returned shape " + Arrays.toString(y.shape()) + " for a batch of " + batch);
                }
            }
        }
    }

    /** One timed forward, in milliseconds; the scope frees the output and every intermediate of the run. */
    private static double timeOnce(LatencyModel m, Tensor x) {
        try (PointerScope scope = new PointerScope()) {
            long t0 = System.nanoTime();
            m.forward(x);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /** A fixed standard-normal batch [batch, shape...], kept past the scope (the caller releases it). */
    private static Tensor input(int batch, long[] shape) {
        long[] full = new long[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(batch);
            return Tensors.retained(torch.randn(full));
        }
    }
}
