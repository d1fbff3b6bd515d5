package io.ispasp.job;

import io.ispasp.core.PruneReport.UnitReport;

/** Told after each pruned unit: how many are done of how many, and the unit's report. */
@FunctionalInterface
public interface JobProgress {
    JobProgress NONE = (done, total, report) -> {};

    void unitDone(int done, int total, UnitReport report);
}
