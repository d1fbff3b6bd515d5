package io.ispasp.api;

/**
 * Hears a {@link PruningJob}'s progress, on the thread that runs the job. Keep it quick; to stop the job, call
 * {@link PruningJob#cancel()} (from here or from any thread).
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> {};

    /** A unit has been pruned (and the model made smaller). */
    void unitPruned(UnitProgress progress);

    /**
     * @param unit    the unit's module path ({@code layer3.4}, {@code features.6}, {@code 0} for an MLP's first layer)
     * @param done    units pruned so far, this one included
     * @param total   units this job prunes
     * @param groups  the unit's groups before pruning
     * @param kept    groups kept
     * @param seconds the unit's selection time
     */
    record UnitProgress(String unit, int done, int total, int groups, int kept, double seconds) {}
}
