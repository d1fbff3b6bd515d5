package io.ispasp.train;

/** How the learning rate moves over the steps of one training run. */
public enum LrSchedule {
    /**
     * Cosine decay per step from the peak to zero: {@code lr_t = lr/2 * (1 + cos(pi * t / T))} for 0-based step
     * {@code t} of {@code T}. The first step uses the peak rate; the last one is just above zero.
     */
    COSINE {
        @Override
        public double rate(double lr, long t, long total) {
            check(t, total);
            return 0.5 * lr * (1 + Math.cos(Math.PI * t / total));
        }
    },

    /** The peak rate at every step: the authors' one-epoch fine-tune after each pruned block (lr 0.01). */
    CONSTANT {
        @Override
        public double rate(double lr, long t, long total) {
            check(t, total);
            return lr;
        }
    };

    /**
     * Learning rate of 0-based step {@code t} of a run of {@code total} steps with peak rate {@code lr}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= t < total}
     */
    public abstract double rate(double lr, long t, long total);

    private static void check(long t, long total) {
        if (t < 0 || t >= total) throw new IllegalArgumentException("step " + t + " outside [0, " + total + ")");
    }
}
