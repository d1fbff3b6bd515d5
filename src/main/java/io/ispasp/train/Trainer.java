package io.ispasp.train;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an {@link Mlp} in place: mini-batch SGD with classic momentum ({@code v = mu*v + g; w -= lr_t*v}),
 * optional weight decay on the weights (biases exempt), cross-entropy loss, a seeded shuffle of the rows every
 * epoch and a cosine learning-rate schedule {@code lr_t = lr/2 * (1 + cos(pi*t/T))} over all {@code T} steps.
 * <p>Call {@link io.ispasp.runtime.TorchRuntime#init()} first. Each step runs in its own {@link PointerScope},
 * so native memory stays flat. With one libtorch thread, the same config and the same starting model give
 * bitwise identical weights.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Progress callback, called after every optimisation step. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param epoch       current epoch, 1-based
         * @param step        global step, 1-based, over all epochs
         * @param totalSteps  number of steps of the whole run
         * @param runningLoss mean loss per row so far in this epoch
         */
        void onStep(int epoch, long step, long totalSteps, double runningLoss);
    }

    private final TrainConfig config;
    private final Listener listener;

    /** A trainer without a progress listener. */
    public Trainer(TrainConfig config) {
        this(config, null);
    }

    /** A trainer that reports every step to {@code listener} (may be null). */
    public Trainer(TrainConfig config, Listener listener) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.listener = listener;
    }

    /** The configuration this trainer uses. */
    public TrainConfig config() { return config; }

    /** Number of steps for {@code rows} training rows: epochs x ceil(rows / batchSize). */
    public long totalSteps(int rows) {
        return (long) config.epochs() * batchesPerEpoch(rows);
    }

    /** The cosine schedule: learning rate of 0-based step {@code t} of {@code total}. */
    public static double learningRate(double lr, long t, long total) {
        return 0.5 * lr * (1 + Math.cos(Math.PI * t / total));
    }

    /**
     * Trains {@code model}'s parameters in place on {@code data}.
     *
     * @return the mean training loss (per row) of each epoch
     * @throws IllegalArgumentException if the data does not fit the model
     * @throws IllegalStateException    if the loss becomes NaN or infinite
     */
    public double[] train(Mlp model, Dataset data) {
        checkFits(model, data);
        int n = data.size();
        int batches = batchesPerEpoch(n);
        long total = totalSteps(n);
        List<Tensor> params = model.parameters();
        double[] epochLoss = new double[config.epochs()];
        try (PointerScope run = new PointerScope()) {
            Tensor[] velocity = new Tensor[params.size()];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = torch.zeros_like(params.get(i));
                params.get(i).requires_grad_(true);
            }
            SplittableRandom rnd = new SplittableRandom(config.seed());
            int[] order = new int[n];
            Arrays.setAll(order, i -> i);
            long t = 0;
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                shuffle(order, rnd);
                double sum = 0;
                int seen = 0;
                for (int b = 0; b < batches; b++) {
                    int[] rows = Arrays.copyOfRange(order, b * config.batchSize(), Math.min(n, (b + 1) * config.batchSize()));
                    double loss = step(model, params, velocity, data, rows, learningRate(config.lr(), t, total));
                    t++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training diverged at epoch " + epoch + " step " + t + ": loss is "
                                + loss + "; lower --lr (now " + config.lr() + ")");
                    }
                    sum += loss * rows.length;
                    seen += rows.length;
                    if (listener != null) listener.onStep(epoch, t, total, sum / seen);
                }
                epochLoss[epoch - 1] = sum / seen;
                LOG.info("epoch {}/{}: mean loss {} ({} s)", epoch, config.epochs(), String.format("%.5f", sum / seen),
                        String.format("%.2f", (System.nanoTime() - start) / 1e9));
            }
        } finally {
            try (PointerScope s = new PointerScope()) {
                for (Tensor p : params) {
                    p.requires_grad_(false);
                    p.mutable_grad().put(new Tensor()); // drop the gradient buffer
                }
            }
        }
        return epochLoss;
    }

    /** One forward/backward/update on {@code rows}; returns the batch's mean loss (no update when non-finite). */
    private double step(Mlp model, List<Tensor> params, Tensor[] velocity, Dataset data, int[] rows, double lr) {
        try (PointerScope s = new PointerScope()) {
            for (Tensor p : params) p.mutable_grad().put(new Tensor()); // zero grads (set to none)
            Tensor loss = torch.cross_entropy(model.forward(data.features(rows)), data.labels(rows));
            double value = loss.item_double();
            if (!Double.isFinite(value)) return value;
            loss.backward();
            try (NoGradGuard g = new NoGradGuard()) {
                Scalar mu = new Scalar(config.momentum()), rate = new Scalar(lr), wd = new Scalar(config.weightDecay());
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    Tensor grad = p.grad();
                    boolean isWeight = i % 2 == 0; // parameters() lists w0, b0, w1, b1, ...
                    if (isWeight && config.weightDecay() > 0) grad = grad.add(p, wd);
                    velocity[i].mul_(mu).add_(grad);
                    p.sub_(velocity[i], rate);
                }
            }
            return value;
        }
    }

    private int batchesPerEpoch(int rows) {
        return (rows + config.batchSize() - 1) / config.batchSize();
    }

    /** Fisher-Yates shuffle of {@code a} in place: {@link Batches#shuffle} (used by {@link ConvTrainer} too). */
    static void shuffle(int[] a, SplittableRandom rnd) {
        Batches.shuffle(a, rnd);
    }

    private static void checkFits(Mlp model, Dataset data) {
        if (data.size() == 0) throw new IllegalArgumentException("cannot train on an empty data set");
        if (data.featureSize() != model.inputSize()) {
            throw new IllegalArgumentException("data has " + data.featureSize() + " features but the model expects " + model.inputSize());
        }
        if (data.numClasses() > model.outputSize()) {
            throw new IllegalArgumentException("data has " + data.numClasses() + " classes but the model has " + model.outputSize() + " outputs");
        }
    }
}
