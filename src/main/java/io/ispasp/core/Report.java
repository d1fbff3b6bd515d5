package io.ispasp.core;

import java.util.List;

import io.ispasp.io.Json;

/** What every pruning report has: the method, one entry per pruned unit, and parameter and FLOP counts. */
public interface Report {
    String method();

    List<PruneReport.UnitReport> units();

    PruneReport.Counts params();

    PruneReport.Counts flops();

    /** The report as the CLI writes it (JSON, snake_case keys). */
    default String toJson() { return Json.toJson(this); }
}
