package io.ispasp.train;

import io.ispasp.data.Augmentation;
import io.ispasp.model.conv.Arch;

/**
 * Hyper-parameters of {@link ConvTrainer}: mini-batch SGD with (Nesterov) momentum, weight decay on the conv and
 * linear weights only, cross-entropy with label smoothing, training-time augmentation and a per-step learning-rate
 * schedule. {@link #defaults()} holds the authors' final fine-tune settings (reference digest 1.6).
 *
 * @param epochs         passes over the training set, at least 1
 * @param batchSize      images per mini-batch, at least 1 (see {@link ConvTrainer} for the last batch of an epoch)
 * @param lr             peak learning rate, positive and finite
 * @param momentum       momentum factor in [0, 1)
 * @param nesterov       Nesterov momentum; needs {@code momentum > 0}
 * @param weightDecay    L2 penalty added to the gradients of conv and linear weights, >= 0 and finite
 * @param labelSmoothing epsilon of the label-smoothed cross-entropy, in [0, 1)
 * @param augmentation   augmentation of the training images, not null
 * @param schedule       learning-rate schedule over the steps of the run, not null
 * @param seed           seed of the per-epoch shuffle, of the augmentation draws and of libtorch's dropout
 * @param maxSteps       stop after this many steps (0 = no limit): quick runs and tests; the schedule then spans
 *                       only the steps that run
 */
public record ConvTrainConfig(int epochs, int batchSize, double lr, double momentum, boolean nesterov, double weightDecay,
        double labelSmoothing, Augmentation augmentation, LrSchedule schedule, long seed, long maxSteps) {

    /** The authors' weight decay for ResNets. */
    public static final double RESNET_WEIGHT_DECAY = 5e-4;
    /** The authors' weight decay for MobileNetV2. */
    public static final double MOBILENET_WEIGHT_DECAY = 4e-5;

    /** Validates the values; every message names the option and the value given. */
    public ConvTrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0, got 0");
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0 and finite, got " + weightDecay);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (augmentation == null) throw new IllegalArgumentException("augmentation must not be null (use Augmentation.NONE)");
        if (schedule == null) throw new IllegalArgumentException("learning-rate schedule must not be null");
        if (maxSteps < 0) throw new IllegalArgumentException("max steps must be >= 0 (0 = no limit), got " + maxSteps);
    }

    /**
     * The authors' final fine-tune: 90 epochs, batch 256, lr 0.01 with a cosine schedule, Nesterov momentum 0.9,
     * weight decay 5e-4, label smoothing 0.1, standard augmentation, seed 0, no step limit.
     */
    public static ConvTrainConfig defaults() {
        return new ConvTrainConfig(90, 256, 0.01, 0.9, true, RESNET_WEIGHT_DECAY, 0.1, Augmentation.STANDARD,
                LrSchedule.COSINE, 0L, 0L);
    }

    /** {@link #defaults()} with the authors' weight decay for {@code arch} (4e-5 for MobileNetV2, else 5e-4). */
    public static ConvTrainConfig defaults(Arch arch) {
        return defaults().withWeightDecay(arch == Arch.MOBILENETV2 ? MOBILENET_WEIGHT_DECAY : RESNET_WEIGHT_DECAY);
    }

    /** The authors' fine-tune after each pruned block: one epoch at a constant lr 0.01, otherwise as {@link #defaults(Arch)}. */
    public static ConvTrainConfig blockFineTune(Arch arch) {
        return defaults(arch).withEpochs(1).withSchedule(LrSchedule.CONSTANT);
    }

    /** A copy with another epoch count. */
    public ConvTrainConfig withEpochs(int v) {
        return new ConvTrainConfig(v, batchSize, lr, momentum, nesterov, weightDecay, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another batch size. */
    public ConvTrainConfig withBatchSize(int v) {
        return new ConvTrainConfig(epochs, v, lr, momentum, nesterov, weightDecay, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another peak learning rate. */
    public ConvTrainConfig withLr(double v) {
        return new ConvTrainConfig(epochs, batchSize, v, momentum, nesterov, weightDecay, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another momentum factor. */
    public ConvTrainConfig withMomentum(double v) {
        return new ConvTrainConfig(epochs, batchSize, lr, v, nesterov, weightDecay, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with Nesterov momentum on or off. */
    public ConvTrainConfig withNesterov(boolean v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, v, weightDecay, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another weight decay. */
    public ConvTrainConfig withWeightDecay(double v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, v, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another label-smoothing epsilon. */
    public ConvTrainConfig withLabelSmoothing(double v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, v, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another augmentation. */
    public ConvTrainConfig withAugmentation(Augmentation v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, labelSmoothing, v, schedule, seed, maxSteps);
    }

    /** A copy with another learning-rate schedule. */
    public ConvTrainConfig withSchedule(LrSchedule v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, labelSmoothing, augmentation, v, seed, maxSteps);
    }

    /** A copy with another seed. */
    public ConvTrainConfig withSeed(long v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, labelSmoothing, augmentation, schedule, v, maxSteps);
    }

    /** A copy with another step limit (0 = none). */
    public ConvTrainConfig withMaxSteps(long v) {
        return new ConvTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, labelSmoothing, augmentation, schedule, seed, v);
    }
}
