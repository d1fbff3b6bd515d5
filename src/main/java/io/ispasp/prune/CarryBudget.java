package io.ispasp.prune;

import java.nio.file.Path;

import io.ispasp.core.PruneOptions;

/**
 * Where carried activations go during one prune, and what they took: each tensor is kept in memory while the bytes
 * held there stay within the bound, else spilled to a scratch file in the spill folder (none: the unit's inputs are
 * recomputed from the samples instead). Records the peak bytes held in memory and on disk, for the report.
 */
final class CarryBudget {
    private final long bound;
    private Path spill;
    private long inMemory, onDisk, peakMemory, peakDisk;
    private int spilledTensors;

    /** @param spill the spill folder, or null to recompute what does not fit */
    CarryBudget(long bound, Path spill) {
        this.bound = bound;
        this.spill = spill;
    }

    /** The bound and spill folder of {@code options}. */
    static CarryBudget of(PruneOptions options) {
        return new CarryBudget(options.memory(), options.spill());
    }

    /** Whether tensors of {@code bytes} in all, made while {@code held} bytes of older ones are still in memory, can be carried. */
    boolean admits(long bytes, long held) {
        return spill != null || held + bytes <= bound;
    }

    /** A store for a tensor of {@code shape}: in memory if it fits beside what is held, else spilled. */
    ActivationStore store(long[] shape) {
        long bytes = ActivationStore.bytes(shape);
        if (inMemory + bytes <= bound) {
            ActivationStore s = new ActivationStore.InMemory(shape);
            inMemory += bytes;
            peakMemory = Math.max(peakMemory, inMemory);
            return s;
        }
        if (spill == null) throw new IllegalStateException("no room for " + bytes + " bytes of carried activations");
        ActivationStore s = new ActivationStore.Spilled(shape, spill);
        onDisk += bytes;
        peakDisk = Math.max(peakDisk, onDisk);
        spilledTensors++;
        return s;
    }

    /** {@code store} was closed. */
    void released(ActivationStore store) {
        if (store instanceof ActivationStore.InMemory) inMemory -= store.bytes();
        else onDisk -= store.bytes();
    }

    /** Spilling failed (a full disk): what does not fit in memory is recomputed from now on. */
    void spillFailed() { spill = null; }

    /** Bytes in memory now. */
    long inMemory() { return inMemory; }

    long peakMemory() { return peakMemory; }

    long peakDisk() { return peakDisk; }

    int spilledTensors() { return spilledTensors; }
}
