package io.ispasp.prune;

import java.util.Arrays;

import io.ispasp.core.PruneOptions;
import io.ispasp.engine.Cancellation;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses per-unit ratios so the pruned network's FLOPs are at most {@code target} x the dense FLOPs, changing its
 * outputs as little as possible on the calibration data. First a sensitivity scan: for every unit and every ratio
 * of the grid 0.9, 0.8, ..., 0.1, the mean KL divergence from the dense network's output distribution to the one
 * with only that unit pruned (keeping the groups of largest activation mass, a cheap stand-in for the method that
 * will prune). It needs no labels. Then a greedy descent from the dense network: repeatedly lower by one grid step
 * the unit whose step costs the least divergence per FLOP saved, until the target is met. Per-unit effects are
 * assumed additive, as in sensitivity-based layouts.
 */
public final class FlopsTarget {
    private static final Logger LOG = LoggerFactory.getLogger(FlopsTarget.class);
    static final double[] GRID = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};

    private FlopsTarget() {}

    /** The layout; {@code inputSize} is the image side FLOPs are counted at (ignored for MLPs). */
    public static Layout choose(Network dense, Calibration calibration, PruneOptions options, double target, int inputSize) {
        if (!(target > 0 && target <= 1)) throw new IllegalArgumentException("--flops-target must be in (0, 1], got " + target);
        long denseFlops = dense.complexity(inputSize).flops();
        double[][] loss = sensitivity(dense, calibration, options);
        int units = dense.units().size();
        int[] step = new int[units];
        while (flops(dense, step, inputSize) > target * denseFlops) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            long now = flops(dense, step, inputSize);
            for (int u = 0; u < units; u++) {
                if (step[u] + 1 >= GRID.length) continue;
                step[u]++;
                long saved = now - flops(dense, step, inputSize);
                step[u]--;
                if (saved <= 0) continue;
                double cost = Math.max(0, loss[u][step[u] + 1] - loss[u][step[u]]) / saved;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = u;
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException(String.format("--flops-target %.3f is out of reach: pruning every unit to %.1f "
                        + "leaves %.3f of the dense FLOPs", target, GRID[GRID.length - 1], flops(dense, step, inputSize) / (double) denseFlops));
            }
            step[best]++;
        }
        double[] ratios = new double[units];
        for (int u = 0; u < units; u++) ratios[u] = GRID[step[u]];
        LOG.info("flops target {}: ratios {} ({} of dense FLOPs)", target, Arrays.toString(ratios),
                String.format("%.4f", flops(dense, step, inputSize) / (double) denseFlops));
        return Layout.of(ratios);
    }

    private static long flops(Network net, int[] step, int size) {
        double[] r = new double[step.length];
        for (int u = 0; u < r.length; u++) r[u] = GRID[step[u]];
        return net.complexity(size, Layout.of(r).widths(net)).flops();
    }

    /** loss[u][g]: mean KL(dense || unit u alone at GRID[g]) over the calibration samples (g = 0: 0). */
    static double[][] sensitivity(Network net, Calibration calibration, PruneOptions options) {
        double[][] loss = new double[net.units().size()][GRID.length];
        CarriedInputs carried = null; // each unit's input, passed on instead of recomputed from the samples
        CarryBudget budget = CarryBudget.of(options);
        try {
            for (Unit unit : net.units()) {
                Cancellation.checkpoint();
                carried = CarriedInputs.at(carried, true, net, net, unit.index(), -1, calibration, options.batchSize(), false, budget);
                unitSensitivity(new UnitData(net, net, unit.index(), unit.groups(), calibration, options, carried), loss[unit.index()]);
            }
        } finally {
            if (carried != null) carried.close();
        }
        return loss;
    }

    /** loss[g] of one unit: its input and H once per batch, the rest of the network once per grid ratio. */
    private static void unitSensitivity(UnitData data, double[] loss) {
        Unit unit = data.unit();
        int rows = data.calibration().size(), batch = data.options().batchSize(), n = unit.groups();
        double[] mass = data.activationMass();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = data.input(from, to);
                    Tensor h = data.hidden(x);
                    Tensor dense = torch.log_softmax(unit.forwardFromHidden(x, h), 1);
                    for (int gi = 1; gi < GRID.length; gi++) {
                        int keep = Math.max(1, (int) Math.floor(GRID[gi] * n));
                        float[] m = new float[n];
                        for (int c : TopK.indices(mass, keep)) m[c] = 1f;
                        Tensor pruned = torch.log_softmax(unit.forwardFromHidden(x, h.mul(data.groupVector(m))), 1);
                        double kl = dense.exp().mul(dense.sub(pruned)).sum().item_double();
                        loss[gi] += kl / rows;
                    }
                }
            }
        }
    }
}
