package io.ispasp.train;

import io.ispasp.data.Augmentation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.arch.MobileNetV2;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.arch.Vgg;

/**
 * Hyper-parameters of {@link NetworkTrainer}: mini-batch SGD with momentum (classic or Nesterov), weight decay,
 * cross-entropy with label smoothing, training-time augmentation and a per-step learning-rate schedule.
 * {@link #defaults(Architecture)} gives each family the settings the engine has always trained it with.
 *
 * @param epochs         passes over the training set, at least 1
 * @param batchSize      samples per mini-batch, at least 1 (see {@link NetworkTrainer} for the last batch of an epoch)
 * @param lr             peak learning rate, positive and finite
 * @param momentum       momentum factor in [0, 1); 0 is plain SGD
 * @param nesterov       Nesterov momentum; needs {@code momentum > 0}
 * @param weightDecay    L2 penalty added to the gradients, >= 0 and finite
 * @param decayVectors   whether the weight decay also applies to 1-D parameters (BN weights and biases, Linear
 *                       and conv biases); false decays the conv and linear weights only (see {@link Sgd#decays})
 * @param labelSmoothing epsilon of the label-smoothed cross-entropy, in [0, 1)
 * @param augmentation   augmentation of the training samples, not null; anything but {@link Augmentation#NONE}
 *                       applies to image data only
 * @param schedule       learning-rate schedule over the steps of the run, not null
 * @param seed           seed of the per-epoch shuffle, of the augmentation draws and of libtorch's dropout
 * @param maxSteps       stop after this many steps (0 = no limit): quick runs and tests; the schedule then spans
 *                       only the steps that run
 */
public record NetworkTrainConfig(int epochs, int batchSize, double lr, double momentum, boolean nesterov,
        double weightDecay, boolean decayVectors, double labelSmoothing, Augmentation augmentation, LrSchedule schedule,
        long seed, long maxSteps) {

    /** The authors' weight decay for ResNets. */
    public static final double RESNET_WEIGHT_DECAY = 5e-4;
    /** The authors' weight decay for MobileNetV2. */
    public static final double MOBILENET_WEIGHT_DECAY = 4e-5;
    /**
     * Weight decay for VGG. The authors give none (their experiments are ResNets and MobileNetV2); 5e-4 is the
     * value the CIFAR VGG baselines of the pruning literature train with (network slimming, "Pruning filters for
     * efficient ConvNets"), and the one we use for ResNets too.
     */
    public static final double VGG_WEIGHT_DECAY = 5e-4;

    /** Validates the values; every message names the option and the value given. */
    public NetworkTrainConfig {
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
     * The MLP training the engine has always done ({@link TrainConfig#defaults()} with {@link Trainer}): 3 epochs,
     * batch 128, lr 0.05 with a cosine schedule per step, classic (not Nesterov) momentum 0.9, no weight decay
     * (biases exempt when one is set), no label smoothing, no augmentation, seed 0, no step limit.
     */
    public static NetworkTrainConfig mlp() {
        return new NetworkTrainConfig(3, 128, 0.05, 0.9, false, 0.0, false, 0.0, Augmentation.NONE, LrSchedule.COSINE, 0L, 0L);
    }

    /**
     * The authors' final fine-tune of an image network ({@link ConvTrainConfig#defaults()} with {@link ConvTrainer}):
     * 90 epochs, batch 256, lr 0.01 with a cosine schedule per step, Nesterov momentum 0.9, weight decay
     * {@code weightDecay} on conv and linear weights only, label smoothing 0.1, standard augmentation, seed 0, no
     * step limit.
     */
    public static NetworkTrainConfig image(double weightDecay) {
        return new NetworkTrainConfig(90, 256, 0.01, 0.9, true, weightDecay, false, 0.1, Augmentation.STANDARD,
                LrSchedule.COSINE, 0L, 0L);
    }

    /**
     * The full training of {@code architecture}'s family: {@link #mlp()} for an {@link Mlp}, otherwise
     * {@link #image(double)} with weight decay {@value #MOBILENET_WEIGHT_DECAY} for MobileNetV2,
     * {@value #VGG_WEIGHT_DECAY} for VGG and {@value #RESNET_WEIGHT_DECAY} for ResNets and any other image family.
     */
    public static NetworkTrainConfig defaults(Architecture architecture) {
        if (architecture == null) throw new IllegalArgumentException("architecture must not be null");
        if (architecture instanceof Mlp) return mlp();
        if (architecture instanceof MobileNetV2) return image(MOBILENET_WEIGHT_DECAY);
        if (architecture instanceof Vgg) return image(VGG_WEIGHT_DECAY);
        return image(RESNET_WEIGHT_DECAY);
    }

    /** The authors' fine-tune after each pruned block: one epoch at a constant learning rate, otherwise {@link #defaults}. */
    public static NetworkTrainConfig blockFineTune(Architecture architecture) {
        return defaults(architecture).withEpochs(1).withSchedule(LrSchedule.CONSTANT);
    }

    /** A copy with another epoch count. */
    public NetworkTrainConfig withEpochs(int v) {
        return new NetworkTrainConfig(v, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another batch size. */
    public NetworkTrainConfig withBatchSize(int v) {
        return new NetworkTrainConfig(epochs, v, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another peak learning rate. */
    public NetworkTrainConfig withLr(double v) {
        return new NetworkTrainConfig(epochs, batchSize, v, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another momentum factor. */
    public NetworkTrainConfig withMomentum(double v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, v, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with Nesterov momentum on or off. */
    public NetworkTrainConfig withNesterov(boolean v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, v, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another weight decay. */
    public NetworkTrainConfig withWeightDecay(double v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, v, decayVectors, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy that decays 1-D parameters too ({@code true}) or conv and linear weights only ({@code false}). */
    public NetworkTrainConfig withDecayVectors(boolean v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, v, labelSmoothing, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another label-smoothing epsilon. */
    public NetworkTrainConfig withLabelSmoothing(double v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, v, augmentation, schedule, seed, maxSteps);
    }

    /** A copy with another augmentation. */
    public NetworkTrainConfig withAugmentation(Augmentation v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, v, schedule, seed, maxSteps);
    }

    /** A copy with another learning-rate schedule. */
    public NetworkTrainConfig withSchedule(LrSchedule v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, v, seed, maxSteps);
    }

    /** A copy with another seed. */
    public NetworkTrainConfig withSeed(long v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, v, maxSteps);
    }

    /** A copy with another step limit (0 = none). */
    public NetworkTrainConfig withMaxSteps(long v) {
        return new NetworkTrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, decayVectors, labelSmoothing, augmentation, schedule, seed, v);
    }
}
