package io.ispasp.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Score;
import io.ispasp.data.Dataset;
import io.ispasp.engine.Cancellation;
import io.ispasp.engine.Tensors;
import io.ispasp.job.ConvPruneJob;
import io.ispasp.job.MlpPruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.PruneListener;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pruning run for code that embeds the engine: a model (a file in any format {@link ModelFile} reads, or
 * an engine model in memory), calibration data, a method and how much to keep. {@link #run()} prunes and
 * returns the smaller model with its report; {@link #cancel()} stops it from any thread; {@link #close()}
 * releases every native tensor the job made, the pruned model included.
 * <pre>{@code
 * try (PruningJob job = PruningJob.builder()
 *         .model(Path.of("resnet18.pt"))
 *         .calibration(CalibrationData.ofTensors(batches))
 *         .method(Method.ISPASP).layout("reference")
 *         .progress(p -> log.info("{} {}/{}", p.unit(), p.done(), p.total()))
 *         .build()) {
 *     PruningResult r = job.run();
 *     r.save(Path.of("resnet18-pruned.pt"));
 * }
 * }</pre>
 * <p>Thread safety: a job runs once, on the thread that calls {@link #run()}; {@link #cancel()},
 * {@link #isCancelled()} and {@link #close()} may be called from any thread (closing a running job cancels it
 * and releases its tensors when it has stopped). Different jobs may run at the same time on different threads;
 * they share libtorch's intra-op thread pool. A model given in memory is only read, so several jobs may share it.
 */
public final class PruningJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PruningJob.class);

    private enum State { READY, RUNNING, DONE, CLOSED }

    private final Builder b;
    private final Cancellation.Token token = new Cancellation.Token();
    private State state = State.READY;
    private boolean closeWhenStopped;
    private LoadedModel loaded;      // read from b.file; owned here
    private PruningResult result;    // owned here

    private PruningJob(Builder b) {
        this.b = b;
    }

    /** A new job description; loads libtorch first (a no-op after the first time), so nothing later meets it cold. */
    public static Builder builder() {
        TorchRuntime.init();
        return new Builder();
    }

    /**
     * Prunes; blocks until done. Throws {@link java.util.concurrent.CancellationException} when cancelled,
     * {@link IOException} for an unreadable model file, {@link IllegalArgumentException} for data that does not
     * fit the model.
     */
    public PruningResult run() throws IOException {
        synchronized (this) {
            if (state != State.READY) throw new IllegalStateException("a job runs once; this one is " + state.name().toLowerCase());
            state = State.RUNNING;
        }
        try {
            PruningResult r = Cancellation.with(token, this::execute);
            synchronized (this) {
                result = r;
            }
            return r;
        } finally {
            synchronized (this) {
                state = State.DONE;
                if (closeWhenStopped) release();
            }
        }
    }

    /** Asks the running job to stop at its next checkpoint (between iterations, GFS steps and units). */
    public void cancel() { token.cancel(); }

    public boolean isCancelled() { return token.isCancelled(); }

    /** Releases the pruned model and everything else native this job holds; cancels a running job first. */
    @Override
    public synchronized void close() {
        if (state == State.RUNNING) {
            token.cancel();
            closeWhenStopped = true;
            return;
        }
        release();
    }

    private void release() {
        if (state == State.CLOSED) return;
        if (result != null) result.model().close();
        if (loaded != null) loaded.close();
        result = null;
        loaded = null;
        state = State.CLOSED;
    }

    private PruningResult execute() throws IOException {
        TorchRuntime.init();
        LoadedModel model;
        if (b.file != null) {
            LoadedModel m = ModelFile.load(b.file);
            synchronized (this) {
                loaded = m;
            }
            model = m;
        } else {
            model = b.conv != null ? LoadedModel.of(b.conv) : LoadedModel.of(b.mlp); // borrowed: never closed here
        }
        Cancellation.checkpoint();
        return model.isConv() ? pruneConv(model.conv()) : pruneMlp(model.mlp());
    }

    private PruningResult pruneConv(ConvNet dense) {
        if (b.ratio == null && b.layout == null && b.flopsTarget == null) throw new IllegalArgumentException("give a ratio, a layout or a FLOPs target");
        PruneOptions options = options(b.ratio == null ? 1.0 : b.ratio, b.calibrationLimit == null ? 1280 : b.calibrationLimit,
                b.score == null ? Score.CORRELATION : b.score).toBuilder().batchSize(64).build();
        Layout layout = b.flopsTarget != null ? null
                : b.layout != null ? Layout.parse(b.layout, dense.spec(), null) : Layout.every(dense.spec(), b.ratio);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = CalibrationReader.read(b.calibration, options.calibration());
            if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != x.size(3)) {
                throw new IllegalArgumentException("calibration images must be [3, H, W] with H = W for " + dense.spec().arch().cliName()
                        + ", got " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(x.shape(), 1, (int) x.dim())));
            }
            Tensor labels = b.calibration.labels != null ? labels(b.calibration.labels, (int) x.size(0), dense.spec().classes())
                    : predictions(x, dense::forward);
            try (TensorCalibration calib = new TensorCalibration(x, labels)) {
                ConvPruneJob.Result r = ConvPruneJob.run(dense, calib, calib.side(), null, null, null,
                        new ConvPruneJob.Plan(layout, b.flopsTarget, null, null), options,
                        (done, total, u) -> b.progress.unitPruned(progress(u, done, total)));
                return new PruningResult(LoadedModel.of(r.model()), r.report());
            }
        }
    }

    private PruningResult pruneMlp(Mlp dense) {
        if (b.layout != null || b.flopsTarget != null) throw new IllegalArgumentException("MLPs take a ratio, not a layout or a FLOPs target");
        if (b.ratio == null) throw new IllegalArgumentException("give a ratio for an MLP");
        PruneOptions options = options(b.ratio, b.calibrationLimit == null ? 2048 : b.calibrationLimit,
                b.score == null ? Score.GROUP_NORM : b.score);
        Dataset calibration;
        try (PointerScope scope = new PointerScope()) {
            Tensor x = CalibrationReader.read(b.calibration, options.calibration());
            int n = (int) x.size(0);
            if (x.numel() / n != dense.inputSize()) {
                throw new IllegalArgumentException("calibration samples have " + x.numel() / n + " values, the MLP takes " + dense.inputSize());
            }
            Tensor flat = x.reshape(n, dense.inputSize());
            int[] labels = b.calibration.labels != null ? b.calibration.labels
                    : java.util.Arrays.stream(Tensors.longs(predictions(flat, dense::forward))).mapToInt(Math::toIntExact).toArray();
            if (labels.length < n) throw new IllegalArgumentException("got " + labels.length + " labels for " + n + " calibration samples");
            calibration = new Dataset(Tensors.floats(flat), java.util.Arrays.copyOf(labels, n), dense.inputSize(), dense.outputSize());
        }
        int total = dense.hiddenLayers();
        MlpPruneJob.Result r = MlpPruneJob.run(dense, calibration, null, options, new PruneListener() {
            @Override
            public void message(String text) { LOG.debug(text); }

            @Override
            public void unitDone(int unit, PruneReport.UnitReport report, Mlp before, Mlp after) {
                b.progress.unitPruned(progress(report, unit + 1, total));
            }
        });
        // a net without hidden layers comes back as itself: copy it, since close() frees the result
        return new PruningResult(LoadedModel.of(r.model() == dense ? dense.copy() : r.model()), r.report());
    }

    private PruneOptions options(double ratio, int calibration, Score score) {
        return PruneOptions.builder().method(b.method).ratio(ratio).iterations(b.iterations).calibration(calibration)
                .score(score).seed(b.seed).device(b.device).build();
    }

    private static ProgressListener.UnitProgress progress(PruneReport.UnitReport u, int done, int total) {
        return new ProgressListener.UnitProgress(u.name(), done, total, u.groups(), u.kept(), u.dataSeconds() + u.iterationSeconds());
    }

    /** The dense model's own class predictions: the labels where the caller gave none. */
    private static Tensor predictions(Tensor x, java.util.function.Function<Tensor, Tensor> forward) {
        try (NoGradGuard g = new NoGradGuard()) {
            TensorVector parts = new TensorVector();
            for (long from = 0; from < x.size(0); from += 64) {
                parts.push_back(forward.apply(x.narrow(0, from, Math.min(64, x.size(0) - from))).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            }
            return torch.cat(parts, 0);
        }
    }

    private static Tensor labels(int[] labels, int n, int classes) {
        if (labels.length < n) throw new IllegalArgumentException("got " + labels.length + " labels for " + n + " calibration images");
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
        }
        return Tensors.indices(java.util.Arrays.copyOf(labels, n)); // int64, as the loss wants
    }

    /** Settings of a job; {@link #build()} checks them. Not thread-safe (build on one thread). */
    public static final class Builder {
        private Path file;
        private ConvNet conv;
        private Mlp mlp;
        private CalibrationData calibration;
        private Method method = Method.ISPASP;
        private Double ratio;
        private String layout;
        private Double flopsTarget;
        private Device device = Device.AUTO;
        private int iterations = 20;
        private Score score;
        private Integer calibrationLimit;
        private long seed;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {}

        /** A model file: TorchScript (torchvision resnet18/34, mobilenet_v2, nn.Sequential MLP) or an engine checkpoint. */
        public Builder model(Path file) { clearModel(); this.file = Objects.requireNonNull(file, "file"); return this; }

        /** A conv net in memory; the job reads it and leaves it to its owner. */
        public Builder model(ConvNet net) { clearModel(); this.conv = Objects.requireNonNull(net, "net"); return this; }

        /** An MLP in memory; the job reads it and leaves it to its owner. */
        public Builder model(Mlp mlp) { clearModel(); this.mlp = Objects.requireNonNull(mlp, "mlp"); return this; }

        public Builder calibration(CalibrationData data) { this.calibration = Objects.requireNonNull(data, "data"); return this; }

        /** Samples copied from the calibration data at most; default 1280 images (conv nets) or 2048 rows (MLPs). */
        public Builder calibrationLimit(int samples) { this.calibrationLimit = samples; return this; }

        public Builder method(Method method) { this.method = Objects.requireNonNull(method, "method"); return this; }

        /** Fraction of groups kept in every unit, in (0, 1]. */
        public Builder ratio(double ratio) { this.ratio = ratio; return this; }

        /** Conv nets: a layout as the CLI's --layout takes it ({@code reference}, {@code blocks:layer3.4=0.5}, ...). */
        public Builder layout(String layout) { this.layout = Objects.requireNonNull(layout, "layout"); return this; }

        /** Conv nets: per-unit ratios chosen so the FLOPs are at most this fraction of the dense net's. */
        public Builder flopsTarget(double fraction) { this.flopsTarget = fraction; return this; }

        public Builder device(Device device) { this.device = Objects.requireNonNull(device, "device"); return this; }

        /** i-SpaSP iterations T per unit (default 20). */
        public Builder iterations(int t) { this.iterations = t; return this; }

        /** i-SpaSP's group score; default correlation (conv nets) or group-norm (MLPs). */
        public Builder score(Score score) { this.score = Objects.requireNonNull(score, "score"); return this; }

        /** Seed of random pruning and GFS's candidate draws. */
        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder progress(ProgressListener listener) { this.progress = Objects.requireNonNull(listener, "listener"); return this; }

        public PruningJob build() {
            if (file == null && conv == null && mlp == null) throw new IllegalArgumentException("no model: call model(...)");
            if (calibration == null) throw new IllegalArgumentException("no calibration data: call calibration(...)");
            int given = (ratio != null ? 1 : 0) + (layout != null ? 1 : 0) + (flopsTarget != null ? 1 : 0);
            if (given != 1) throw new IllegalArgumentException("give exactly one of ratio, layout and flopsTarget");
            if (ratio != null && !(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("ratio must be in (0, 1], got " + ratio);
            if (flopsTarget != null && !(flopsTarget > 0 && flopsTarget <= 1)) {
                throw new IllegalArgumentException("FLOPs target must be in (0, 1], got " + flopsTarget);
            }
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            if (calibrationLimit != null && calibrationLimit < 1) throw new IllegalArgumentException("calibration limit must be >= 1, got " + calibrationLimit);
            return new PruningJob(this);
        }

        private void clearModel() {
            file = null;
            conv = null;
            mlp = null;
        }
    }
}
