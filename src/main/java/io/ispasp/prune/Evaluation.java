package io.ispasp.prune;

/**
 * What a {@link ScoreOracle} says about one support S: the per-group score (null when not asked for) and the
 * squared residual ||R||^2 summed over the calibration data.
 */
public record Evaluation(double[] scores, double residual) {}
