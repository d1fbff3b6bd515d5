package io.ispasp.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Target;
import io.ispasp.core.Threshold;
import io.ispasp.core.Variant;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.engine.Cancellation;
import io.ispasp.engine.Tensors;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Layout;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

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
    private enum State { READY, RUNNING, DONE, CLOSED }

    private final Builder b;
    private final Cancellation.Token token = new Cancellation.Token();
    private State state = State.READY;
    private boolean closeWhenStopped;
    private Network loaded;          // read from b.file; owned here
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
        PruneJob.checkDevice(b.device);
        Network dense;
        if (b.file != null) {
            Network m = ModelFile.load(b.file);
            synchronized (this) {
                loaded = m;
            }
            dense = m;
        } else {
            dense = b.network; // borrowed: never closed here
        }
        Cancellation.checkpoint();
        boolean mlp = dense.architecture() instanceof Mlp;
        PruneOptions.Builder o = PruneJob.defaults(dense);
        if (b.calibrationLimit != null) o.calibration(b.calibrationLimit);
        o.settings(b.variant, b.score, b.refit, b.threshold, b.biasCompensation, b.bestIterate, b.target);
        PruneOptions options = o.method(b.method).ratio(b.ratio == null ? 1.0 : b.ratio).iterations(b.iterations).path(b.path)
                .seed(b.seed).device(b.device).memory(b.memory).spill(b.spill).build();
        Layout layout = b.flopsTarget != null ? null : b.layout != null ? Layout.parse(b.layout, dense, null) : Layout.every(dense, b.ratio);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = CalibrationReader.read(b.calibration, options.calibration());
            int n = (int) x.size(0);
            if (mlp) {
                int features = ((Mlp) dense.architecture()).sizes()[0];
                if (x.numel() / n != features) {
                    throw new IllegalArgumentException("calibration samples have " + x.numel() / n + " values, the MLP takes " + features);
                }
                x = x.reshape(n, features);
            } else if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != x.size(3)) {
                throw new IllegalArgumentException("calibration images must be [3, H, W] with H = W for " + dense.architecture().name()
                        + ", got " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(x.shape(), 1, (int) x.dim())));
            }
            Tensor labels = b.calibration.labels != null ? labels(b.calibration.labels, n, dense.architecture().classes())
                    : b.method == Method.GFS ? predictions(x, dense::forward) : null;
            try (TensorCalibration calib = new TensorCalibration(x, labels)) {
                PruneJob.Plan plan = new PruneJob.Plan(layout, b.flopsTarget, b.ratio, calib.side(), null, null, null, false, null);
                PruneJob.Result r = PruneJob.run(dense, calib, plan, options,
                        (done, total, u) -> b.progress.unitPruned(progress(u, done, total)));
                return new PruningResult(r.model(), r.report());
            }
        }
    }

    private static ProgressListener.UnitProgress progress(PruneReport.UnitReport u, int done, int total) {
        return new ProgressListener.UnitProgress(u.name(), done, total, u.groups(), u.kept(), u.selectionSeconds());
    }

    /** The dense model's own class predictions: GFS's labels where the caller gave none. */
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
        private Network network;
        private CalibrationData calibration;
        private Method method = Method.ISPASP;
        private Double ratio;
        private String layout;
        private Double flopsTarget;
        private Device device = Device.AUTO;
        private long memory = -1;
        private java.nio.file.Path spill = PruneOptions.defaultSpill();
        private int iterations = 20;
        private Score score;
        private Integer calibrationLimit;
        private PathChoice path = PathChoice.AUTO;
        private Variant variant;
        private Boolean refit;
        private Threshold threshold;
        private Boolean biasCompensation;
        private Boolean bestIterate;
        private Target target;
        private long seed;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {}

        /**
         * A model file: TorchScript (torchvision ResNets, wide ResNets, mobilenet_v2, VGGs, nn.Sequential MLPs) or an
         * engine checkpoint.
         */
        public Builder model(Path file) { clearModel(); this.file = Objects.requireNonNull(file, "file"); return this; }

        /** A network in memory; the job reads it and leaves it to its owner. */
        public Builder model(Network net) { clearModel(); this.network = Objects.requireNonNull(net, "net"); return this; }

        public Builder calibration(CalibrationData data) { this.calibration = Objects.requireNonNull(data, "data"); return this; }

        /** Samples copied from the calibration data at most; default 1280 images (conv nets) or 2048 rows (MLPs). */
        public Builder calibrationLimit(int samples) { this.calibrationLimit = samples; return this; }

        public Builder method(Method method) { this.method = Objects.requireNonNull(method, "method"); return this; }

        /** Fraction of groups kept in every unit, in (0, 1]. */
        public Builder ratio(double ratio) { this.ratio = ratio; return this; }

        /** A layout as the CLI's --layout takes it ({@code reference}, {@code units:layer3.4=0.5}, ...). */
        public Builder layout(String layout) { this.layout = Objects.requireNonNull(layout, "layout"); return this; }

        /** Per-unit ratios chosen so the FLOPs are at most this fraction of the dense network's. */
        public Builder flopsTarget(double fraction) { this.flopsTarget = fraction; return this; }

        public Builder device(Device device) { this.device = Objects.requireNonNull(device, "device"); return this; }

        /**
         * Bytes of memory for carried activations (each unit's input for every calibration sample, passed on from unit
         * to unit); what does not fit goes to the {@link #spill} folder. Default: a quarter of the machine's memory.
         */
        public Builder memory(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("memory must be >= 0 bytes, got " + bytes);
            this.memory = bytes;
            return this;
        }

        /**
         * The folder for carried activations beyond {@link #memory} (scratch files that leave no name behind), or null to
         * recompute those units' inputs from the calibration data instead. Default: the system's temporary folder.
         */
        public Builder spill(java.nio.file.Path folder) {
            if (folder != null && !java.nio.file.Files.isDirectory(folder)) {
                throw new IllegalArgumentException("spill folder " + folder.toAbsolutePath() + " is not a folder");
            }
            this.spill = folder;
            return this;
        }

        /** i-SpaSP iterations T per unit (default 20). */
        public Builder iterations(int t) { this.iterations = t; return this; }

        /** i-SpaSP's group score; default correlation (conv nets) or group-norm (MLPs). */
        public Builder score(Score score) { this.score = Objects.requireNonNull(score, "score"); return this; }

        /** The i-SpaSP path: direct, statistics or auto (default: auto, by the cost model). */
        public Builder path(PathChoice path) { this.path = Objects.requireNonNull(path, "path"); return this; }

        /**
         * i-SpaSP's settings by name (default BEST, the engine's measured best; PAPER is the authors' procedure). The
         * single settings below override what the variant sets, whichever is called first.
         */
        public Builder variant(Variant variant) {
            if (Objects.requireNonNull(variant, "variant") == Variant.CUSTOM) throw new IllegalArgumentException("variant CUSTOM only describes a run; give BEST or PAPER");
            this.variant = variant;
            return this;
        }

        /** Refit B's kept columns by ridge least squares, every kind of B (default true; false in PAPER). */
        public Builder refit(boolean refit) { this.refit = refit; return this; }

        /** How i-SpaSP cuts its merged candidates back to s groups (default LSQ; MASS in PAPER). */
        public Builder threshold(Threshold threshold) { this.threshold = Objects.requireNonNull(threshold, "threshold"); return this; }

        /** Move the dropped groups' mean contribution into B's bias or BN (default true; false in PAPER). */
        public Builder biasCompensation(boolean on) { this.biasCompensation = on; return this; }

        /** Return the best support the loop visited, not the last (default true; false in PAPER). */
        public Builder bestIterate(boolean on) { this.bestIterate = on; return this; }

        /** The target each unit is matched to (default ORIGINAL; CURRENT, the authors' scheme, in PAPER). */
        public Builder target(Target target) { this.target = Objects.requireNonNull(target, "target"); return this; }

        /** Seed of random pruning and GFS's candidate draws. */
        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder progress(ProgressListener listener) { this.progress = Objects.requireNonNull(listener, "listener"); return this; }

        public PruningJob build() {
            if (file == null && network == null) throw new IllegalArgumentException("no model: call model(...)");
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
            network = null;
        }
    }
}
