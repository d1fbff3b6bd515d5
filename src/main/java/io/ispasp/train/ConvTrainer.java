package io.ispasp.train;

import io.ispasp.engine.Cancellation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.data.ImageDataset;
import io.ispasp.model.conv.ConvNet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link ConvNet} in place on an {@link ImageDataset}: {@link Sgd} with (Nesterov) momentum and weight decay
 * on conv and linear weights, label-smoothed {@link CrossEntropy}, augmented images, a seeded shuffle every epoch
 * and the config's {@link LrSchedule} per step over the run. The forward pass runs in training mode, so BN uses
 * batch statistics and updates its running statistics, and MobileNetV2's dropout is active.
 * <p>An epoch has {@code ceil(n / batchSize)} batches, except that a last batch of a single image joins the batch
 * before it (BN cannot take batch statistics of one image whose map has shrunk to 1x1).
 * <p>Call {@link io.ispasp.runtime.TorchRuntime#init()} first. Each step runs in its own {@link PointerScope}, so
 * native memory stays flat. With one libtorch thread, the same config, data and starting net give bitwise
 * identical weights: the shuffle and augmentation draws come from the config's seed, and libtorch's global
 * generator (dropout) is seeded with it at the start of {@link #train}.
 */
public final class ConvTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ConvTrainer.class);

    private final ConvTrainConfig config;
    private final Trainer.Listener listener;

    /** A trainer without a progress listener. */
    public ConvTrainer(ConvTrainConfig config) {
        this(config, null);
    }

    /** A trainer that reports every step to {@code listener} (may be null); the listener type is shared with {@link Trainer}. */
    public ConvTrainer(ConvTrainConfig config, Trainer.Listener listener) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.listener = listener;
    }

    /** The configuration this trainer uses. */
    public ConvTrainConfig config() { return config; }

    /** Batches per epoch for {@code images} training images (see the class comment for the last batch). */
    public int batchesPerEpoch(int images) {
        return Batches.perEpochJoiningALoneLast(images, config.batchSize());
    }

    /** Steps of a run on {@code images} images: epochs x batches per epoch, capped by {@code maxSteps} when set. */
    public long totalSteps(int images) {
        long all = (long) config.epochs() * batchesPerEpoch(images);
        return config.maxSteps() > 0 ? Math.min(all, config.maxSteps()) : all;
    }

    /**
     * Trains {@code net}'s parameters (and BN running statistics) in place on {@code data}. On return, also after
     * an exception, no parameter requires grad and none holds a gradient.
     *
     * @return the mean training loss (per image, label-smoothed) of each epoch run; shorter than {@code epochs} when
     *         {@code maxSteps} ends the run early, the last entry then covering the part of the epoch that ran
     * @throws IllegalArgumentException if the data does not fit the net
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the net is then left as it was after the
     *                                  last finite step, BN running statistics aside)
     */
    public double[] train(ConvNet net, ImageDataset data) {
        checkFits(net, data);
        int n = data.size();
        int batches = batchesPerEpoch(n);
        long total = totalSteps(n);
        List<Tensor> params = new ArrayList<>();
        for (String name : net.parameterNames()) params.add(net.tensor(name));
        torch.manual_seed(config.seed()); // dropout masks come from libtorch's global generator
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom shuffleRnd = root.split(), augmentRnd = root.split();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        List<Double> epochLoss = new ArrayList<>();
        try (Sgd sgd = new Sgd(params, config.momentum(), config.nesterov(), config.weightDecay())) {
            setRequiresGrad(params, true);
            long t = 0;
            for (int epoch = 1; epoch <= config.epochs() && t < total; epoch++) {
                long start = System.nanoTime();
                Trainer.shuffle(order, shuffleRnd);
                double sum = 0;
                int seen = 0;
                for (int b = 0; b < batches && t < total; b++) {
                    Cancellation.checkpoint();
                    int from = b * config.batchSize(), to = b == batches - 1 ? n : from + config.batchSize();
                    int[] rows = Arrays.copyOfRange(order, from, to);
                    double lr = config.schedule().rate(config.lr(), t, total);
                    double loss = step(net, sgd, data, rows, augmentRnd, lr);
                    t++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training diverged at epoch " + epoch + ", step " + t + " of " + total
                                + ": loss is " + loss + "; lower --lr (now " + config.lr() + ")");
                    }
                    sum += loss * rows.length;
                    seen += rows.length;
                    if (listener != null) listener.onStep(epoch, t, total, sum / seen);
                }
                epochLoss.add(sum / seen);
                LOG.info("epoch {}/{}: mean loss {} ({} s)", epoch, config.epochs(), String.format("%.5f", sum / seen),
                        String.format("%.2f", (System.nanoTime() - start) / 1e9));
            }
        } finally {
            try (PointerScope s = new PointerScope()) {
                for (Tensor p : params) p.mutable_grad().put(new Tensor()); // drop the gradient buffers
            }
            setRequiresGrad(params, false);
        }
        return epochLoss.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One forward/backward/update on {@code rows}; returns the batch's mean loss (no update when it is not finite). */
    private double step(ConvNet net, Sgd sgd, ImageDataset data, int[] rows, SplittableRandom augmentRnd, double lr) {
        try (PointerScope s = new PointerScope()) {
            sgd.zeroGrad();
            Tensor x = data.images(rows, config.augmentation(), augmentRnd);
            Tensor loss = CrossEntropy.loss(net.forward(x, true), data.labels(rows), config.labelSmoothing());
            double value = loss.item_double();
            if (!Double.isFinite(value)) return value;
            loss.backward();
            sgd.step(lr);
            return value;
        }
    }

    private static void setRequiresGrad(List<Tensor> params, boolean on) {
        try (PointerScope s = new PointerScope()) {
            for (Tensor p : params) p.requires_grad_(on);
        }
    }

    private static void checkFits(ConvNet net, ImageDataset data) {
        if (net == null) throw new IllegalArgumentException("net must not be null");
        if (data == null) throw new IllegalArgumentException("data must not be null");
        if (data.size() < 2) throw new IllegalArgumentException("need at least 2 training images for BN batch statistics, got " + data.size());
        if (data.numClasses() > net.spec().classes()) {
            throw new IllegalArgumentException("data has " + data.numClasses() + " classes but the net has " + net.spec().classes() + " outputs");
        }
    }
}
