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
 * @param variant     the i-SpaSP settings by name: best (the default), paper (the authors' procedure) or custom;
 *                    null for the other methods
 * @param accuracy    test accuracy before, right after pruning, and after fine-tuning (null when not measured)
 * @param fidelity    agreement with the dense network on the test split right after pruning (null without one)
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
        String variant,
        String threshold,
        boolean refit,
        boolean biasCompensation,
        boolean bestIterate,
        int iterations,
        int calibration,
        List<UnitReport> units,
        Counts params,
        Counts flops,
        Accuracy accuracy,
        Fidelity fidelity,
        Seconds seconds,
        Memory memory) {

    /**
     * One pruned unit. {@code hidden} is the module whose output channel c is group c. Residuals are ||R||^2 of B's
     * output summed over the calibration data: {@code residual} after each iteration, {@code residualKept} of the
     * returned support with B's kept columns as they were (times GFS's rescaling), {@code residualAfter} after the
     * refit and/or bias compensation (null with neither); {@code targetSquaredNorm} is ||target||^2, and the two
     * relative values divide by it (0 = the unit's output reproduced, 1 = no better than dropping every group).
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
            double residualKept,
            Double residualAfter,
            double targetSquaredNorm,
            Double relativeResidualKept,
            Double relativeResidualAfter,
            double inputSeconds,
            double dataSeconds,
            double iterationSeconds,
            double refitSeconds,
            double surgerySeconds) {

        /** A report with the relative residuals computed. */
        public static UnitReport of(String name, String hidden, int groups, int[] indices, String path, String pathReason,
                                    double[] residual, int iterationsRun, double residualKept, Double residualAfter,
                                    double targetSquaredNorm, Time time) {
            boolean known = targetSquaredNorm > 0;
            return new UnitReport(name, hidden, groups, indices.length, indices, path, pathReason, residual, iterationsRun,
                    residualKept, residualAfter, targetSquaredNorm, known ? residualKept / targetSquaredNorm : null,
                    known && residualAfter != null ? residualAfter / targetSquaredNorm : null, time.input(), time.data(),
                    time.iterations(), time.refit(), time.surgery());
        }

        /** The selection's own seconds (data pass, iterations, refit). */
        public double selectionSeconds() { return dataSeconds + iterationSeconds + refitSeconds; }

        /**
         * Where one unit's time went: carrying X to it from the previous unit (0 when recomputed: then the data pass
         * includes the prefix), the data pass, the iterations, the refit, and cutting the network (with the residual
         * of selectors that do not measure it).
         */
        public record Time(double input, double data, double iterations, double refit, double surgery) {}
    }

    /**
     * How close the pruned network's outputs stay to the dense network's on the test split: the fraction of samples
     * whose top-1 class agrees, and the mean KL(dense || pruned) of the softmax outputs (nats).
     */
    public record Fidelity(int samples, double agreement, double klDivergence) {}

    public record Counts(long before, long after) {}

    /** Test accuracy in [0, 1]; {@code after} is right after pruning, before any final fine-tune. */
    public record Accuracy(Double before, Double after, Double afterFinetune) {}

    /**
     * Where the time went, summed over the units (see {@link UnitReport.Time}): inputs (X carried forward), data
     * (the data passes: statistics, and the prefix when an input is recomputed), iterations, refit, surgery; total:
     * the whole pruning loop without fine-tuning; layoutSearch: choosing the layout for a FLOPs target; finetune: all
     * fine-tuning.
     */
    public record Seconds(double inputs, double data, double iterations, double refit, double surgery, double total,
                          double layoutSearch, double finetune) {
        /** The split summed over {@code units}, with the totals given. */
        public static Seconds of(List<UnitReport> units, double total, double layoutSearch, double finetune) {
            return new Seconds(sum(units, UnitReport::inputSeconds), sum(units, UnitReport::dataSeconds),
                    sum(units, UnitReport::iterationSeconds), sum(units, UnitReport::refitSeconds),
                    sum(units, UnitReport::surgerySeconds), total, layoutSearch, finetune);
        }

        private static double sum(List<UnitReport> units, java.util.function.ToDoubleFunction<UnitReport> part) {
            return units.stream().mapToDouble(part).sum();
        }
    }

    /**
     * Memory of the run: the bound for carried activations, the peak bytes of them held in memory and in spill files
     * at once, the spill folder (null: none), and the process's peak resident memory so far (Linux; null elsewhere).
     */
    public record Memory(long bound, long carriedPeak, long spilledPeak, String spill, Long peakRss) {}

    /** The report as the CLI writes it (JSON, snake_case keys). */
    public String toJson() { return Json.toJson(this); }
}
