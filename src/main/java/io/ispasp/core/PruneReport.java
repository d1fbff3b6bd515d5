package io.ispasp.core;

import java.util.List;

import io.ispasp.io.Json;

/**
 * The machine-readable result of one pruning run, the same for every family (serialised as JSON with snake_case
 * keys; the keys are listed in docs/cli.md).
 *
 * @param arch        the architecture's one-line description ({@code resnet50 form=cifar width=0.25 classes=10})
 * @param input       image side FLOPs are counted at (0 for an MLP)
 * @param method      the pruning method
 * @param ratio       the plain {@code --ratio} when every unit was pruned at it, else null
 * @param layout      the fraction kept per unit (1 = not pruned), in unit order
 * @param flopsTarget the FLOPs target the layout was chosen for, or null
 * @param units       one entry per pruned unit, in pruning order
 * @param accuracy    test accuracy before, right after pruning, and after fine-tuning (null when not measured)
 */
public record PruneReport(
        String arch,
        int input,
        String method,
        Double ratio,
        double[] layout,
        Double flopsTarget,
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
        Seconds seconds) {

    /**
     * One pruned unit. {@code hidden} is the module whose output channel c is group c; {@code residual} is ||R||^2
     * summed over the calibration data after each iteration.
     */
    public record UnitReport(
            String name,
            String hidden,
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

    /** Test accuracy in [0, 1]; {@code after} is right after pruning, before any final fine-tune. */
    public record Accuracy(Double before, Double after, Double afterFinetune) {}

    /**
     * data + iterations: the selections' own time; total: the whole pruning loop (selections, surgery, the unit
     * inputs) without fine-tuning; layoutSearch: choosing the layout for a FLOPs target; finetune: all fine-tuning.
     */
    public record Seconds(double data, double iterations, double total, double layoutSearch, double finetune) {}

    /** The report as the CLI writes it (JSON, snake_case keys). */
    public String toJson() { return Json.toJson(this); }
}
