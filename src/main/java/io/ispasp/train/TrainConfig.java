package io.ispasp.train;

/**
 * Hyper-parameters of {@link Trainer}: mini-batch SGD with momentum, optional weight decay on weights (not
 * biases) and a cosine learning-rate schedule over all steps.
 *
 * @param epochs      passes over the training set, at least 1
 * @param batchSize   rows per mini-batch, at least 1 (the last batch of an epoch may be smaller)
 * @param lr          peak learning rate, positive and finite
 * @param momentum    momentum factor in [0, 1)
 * @param weightDecay L2 penalty added to weight gradients, >= 0 (biases are exempt)
 * @param seed        seed of the per-epoch shuffling
 */
public record TrainConfig(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed) {

    /** Validates the values. */
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0 and finite, got " + weightDecay);
        }
    }

    /** Defaults for small MNIST MLPs: 3 epochs, batch 128, lr 0.05, momentum 0.9, no weight decay, seed 0. */
    public static TrainConfig defaults() {
        return new TrainConfig(3, 128, 0.05, 0.9, 0.0, 0L);
    }

    /** A copy with another epoch count. */
    public TrainConfig withEpochs(int e) { return new TrainConfig(e, batchSize, lr, momentum, weightDecay, seed); }

    /** A copy with another batch size. */
    public TrainConfig withBatchSize(int b) { return new TrainConfig(epochs, b, lr, momentum, weightDecay, seed); }

    /** A copy with another peak learning rate. */
    public TrainConfig withLr(double r) { return new TrainConfig(epochs, batchSize, r, momentum, weightDecay, seed); }

    /** A copy with another momentum factor. */
    public TrainConfig withMomentum(double m) { return new TrainConfig(epochs, batchSize, lr, m, weightDecay, seed); }

    /** A copy with another weight decay. */
    public TrainConfig withWeightDecay(double wd) { return new TrainConfig(epochs, batchSize, lr, momentum, wd, seed); }

    /** A copy with another shuffling seed. */
    public TrainConfig withSeed(long s) { return new TrainConfig(epochs, batchSize, lr, momentum, weightDecay, s); }
}
