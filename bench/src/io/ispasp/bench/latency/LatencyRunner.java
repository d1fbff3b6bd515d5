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
 * <p>Every model of a given sample shape gets the same input: standard normal values, seeded by batch size. Text
 * encoders are timed the same way at every (batch size, sequence length), each on token ids it prepares (the same
 * ids for every encoder at a given cell; see {@link EncoderLatencyModel#prepare}).
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
     * The run times of one model at one batch size (and sequence length, for a text encoder; 0 for other models), in
     * milliseconds, in the order they ran, and the share of the machine's CPU time other processes took while this
     * batch size was timed (NaN where unknown).
     */
    public record Measurement(int model, int batch, int seq, double[] millis, double otherCpu) {
        public Measurement(int model, int batch, double[] millis, double otherCpu) {
            this(model, batch, 0, millis, otherCpu);
        }

        public LatencyStats stats() { return LatencyStats.of(millis); }
    }

    /** One model's forward on its input at one cell, untimed (warm-up) or timed. */
    private interface Forward {
        /** A warm-up run; the first ({@code run} 0) checks the output. */
        void warm(int run);

        /** One timed run, in milliseconds. */
        double timed();
    }

    private final Settings settings;

    public LatencyRunner(Settings settings) {
        this.settings = settings;
    }

    /** Measurements in batch order, then model order (models of a float input only). */
    public List<Measurement> run(List<LatencyModel> models, int[] batches) {
        return run(models, batches, new int[0]);
    }

    /**
     * Measurements in batch order, then sequence-length order, then model order. Text encoders
     * ({@link EncoderLatencyModel}) are timed at every length of {@code seqs}; they are not mixed with models of a
     * float input, which ignore {@code seqs}.
     */
    public List<Measurement> run(List<LatencyModel> models, int[] batches, int[] seqs) {
        long encoders = models.stream().filter(m -> m instanceof EncoderLatencyModel).count();
        if (encoders > 0 && encoders < models.size()) {
            throw new IllegalArgumentException("text encoders and models of a float input cannot be timed in one run");
        }
        if (encoders > 0) {
            if (seqs.length == 0) throw new IllegalArgumentException("text encoders need at least one sequence length");
            return runEncoders(models.stream().map(m -> (EncoderLatencyModel) m).toList(), batches, seqs);
        }
        List<Measurement> out = new ArrayList<>();
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int batch : batches) {
                Map<String, Tensor> inputs = new HashMap<>();
                try {
                    List<Forward> forwards = new ArrayList<>();
                    for (LatencyModel m : models) {
                        Tensor x = inputs.computeIfAbsent(Arrays.toString(m.sampleShape()), k -> input(batch, m.sampleShape()));
                        forwards.add(tensorForward(m, x, batch));
                    }
                    out.addAll(timeCell(models, forwards, batch, 0));
                } finally {
                    for (Tensor t : inputs.values()) t.releaseReference();
                }
            }
        }
        return out;
    }

    private List<Measurement> runEncoders(List<EncoderLatencyModel> models, int[] batches, int[] seqs) {
        List<Measurement> out = new ArrayList<>();
        for (int batch : batches) {
            for (int seq : seqs) {
                List<EncoderLatencyModel.Batch> prepared = new ArrayList<>();
                try {
                    List<Forward> forwards = new ArrayList<>();
                    for (EncoderLatencyModel m : models) {
                        EncoderLatencyModel.Batch b = m.prepare(batch, seq); // runs once and checks the output shape
                        prepared.add(b);
                        forwards.add(encoderForward(b));
                    }
                    out.addAll(timeCell(models, forwards, batch, seq));
                } finally {
                    for (EncoderLatencyModel.Batch b : prepared) b.close();
                }
            }
        }
        return out;
    }

    private List<Measurement> timeCell(List<? extends LatencyModel> models, List<Forward> forwards, int batch, int seq) {
        int k = models.size();
        for (int i = 0; i < k; i++) warmUp(forwards.get(i));
        OtherCpu others = OtherCpu.start();
        List<List<Double>> times = new ArrayList<>();
        double[] total = new double[k];
        for (int i = 0; i < k; i++) times.add(new ArrayList<>());
        for (int round = 0; !done(times, total); round++) {
            for (int j = 0; j < k; j++) {
                int i = round % 2 == 0 ? j : k - 1 - j;
                double ms = forwards.get(i).timed();
                times.get(i).add(ms);
                total[i] += ms / 1000;
            }
        }
        double otherCpu = others.share().orElse(Double.NaN);
        List<Measurement> out = new ArrayList<>();
        StringBuilder line = new StringBuilder("batch " + batch + (seq > 0 ? ", seq " + seq : "") + ":");
        for (int i = 0; i < k; i++) {
            double[] ms = times.get(i).stream().mapToDouble(Double::doubleValue).toArray();
            out.add(new Measurement(i, batch, seq, ms, otherCpu));
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

    /** Runs until both the warm-up time and run count are reached. */
    private void warmUp(Forward f) {
        long start = System.nanoTime();
        for (int run = 0; run < MIN_WARMUP_RUNS || (System.nanoTime() - start) / 1e9 < settings.warmupSeconds(); run++) f.warm(run);
    }

    /** A float-input model on {@code x}; the first warm-up run checks that the output has the batch's rows. */
    private static Forward tensorForward(LatencyModel m, Tensor x, int batch) {
        return new Forward() {
            @Override
            public void warm(int run) {
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

            @Override
            public double timed() { return timeOnce(m, x); }
        };
    }

    /** A text encoder on its prepared batch; the output is freed after the time is taken, as for the other models. */
    private static Forward encoderForward(EncoderLatencyModel.Batch b) {
        return new Forward() {
            @Override
            public void warm(int run) {
                b.run().close();
            }

            @Override
            public double timed() {
                long t0 = System.nanoTime();
                EncoderLatencyModel.Output y = b.run();
                double ms = (System.nanoTime() - t0) / 1e6;
                y.close();
                return ms;
            }
        };
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
