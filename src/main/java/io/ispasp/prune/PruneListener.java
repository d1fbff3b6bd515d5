package io.ispasp.prune;

import io.ispasp.core.PruneReport.UnitReport;
import io.ispasp.model.Mlp;

/** Observes a pruning run: progress messages, and each unit as it is finished (with the model before and after). */
public interface PruneListener {
    PruneListener NONE = new PruneListener() {};

    default void message(String text) {}

    /** {@code before} is valid only during this call (the pruner closes intermediate models afterwards). */
    default void unitDone(int unit, UnitReport report, Mlp before, Mlp after) {}
}
