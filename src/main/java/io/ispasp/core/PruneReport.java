package io.ispasp.core;

import java.util.List;

/**
 * The machine-readable result of one pruning run (serialised as JSON with snake_case keys).
 *
 * @param units one entry per pruned unit, in pruning order
 */
public record PruneReport(
        String method,
        double ratio,
        String device,
        String score,
        String target,
        boolean refit,
        int iterations,
        int calibration,
        List<UnitReport> units,
        Counts params,
        Counts flops,
        Accuracy accuracy,
        Seconds seconds) implements Report {

    /** One pruned unit. {@code residual} is ||R||^2 summed over the calibration data after each iteration. */
    public record UnitReport(
            String name,
            int groups,
            int kept,
            int[] indices,
            String path,
            String pathReason,
            double[] residual,
            int iterationsRun,
            Double residualRefit,
            double dataSeconds,
            double iterationSeconds) {}

    public record Counts(long before, long after) {}

    /** Test accuracy in [0, 1]; null when not measured. */
    public record Accuracy(Double before, Double after) {}

    /** Pruning wall-clock split into the data pass(es) and the selection iterations. */
    public record Seconds(double data, double iterations, double total) {}
}
