package io.ispasp.core;

import java.util.List;

/**
 * The machine-readable result of pruning a conv net (JSON, snake_case keys). Unit names are torchvision module
 * paths ({@code layer3.4}, {@code features.6}).
 *
 * @param arch        architecture and form, e.g. "resnet34-cifar x0.25"
 * @param input       image size FLOPs are counted at (the calibration images' size)
 * @param layout      ratio per unit (1 = not pruned), in unit order
 * @param flopsTarget the FLOPs target the layout was chosen for, or null
 * @param units       one entry per pruned unit, in pruning order
 * @param accuracy    test accuracy before, right after pruning, and after fine-tuning (null when not run)
 * <p>The keys shared with the MLP report ({@link PruneReport}) mean the same: {@code accuracy.before/after},
 * {@code seconds.data/iterations/total}, {@code units[]}, {@code params}, {@code flops}.
 */
public record ConvPruneReport(
        String arch,
        int input,
        String method,
        double[] layout,
        Double flopsTarget,
        String device,
        String score,
        int iterations,
        int calibration,
        List<PruneReport.UnitReport> units,
        PruneReport.Counts params,
        PruneReport.Counts flops,
        Accuracy accuracy,
        Seconds seconds) implements Report {

    /** {@code after}: right after pruning, before any final fine-tune. */
    public record Accuracy(Double before, Double after, Double afterFinetune) {}

    /**
     * data + iterations: the selections' own time; total: the whole pruning loop (selections, surgery, the unit
     * inputs) without fine-tuning; layoutSearch: choosing the layout for a FLOPs target; finetune: all fine-tuning.
     */
    public record Seconds(double data, double iterations, double total, double layoutSearch, double finetune) {}
}
