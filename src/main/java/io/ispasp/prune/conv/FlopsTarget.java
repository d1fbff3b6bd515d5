package io.ispasp.prune.conv;

import io.ispasp.engine.Cancellation;
import java.util.Arrays;

import io.ispasp.core.PruneOptions;
import io.ispasp.engine.Tensors;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.TopK;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses per-unit ratios so the pruned net's FLOPs are at most {@code target} x the dense FLOPs, losing as little
 * as possible on the calibration data. First a sensitivity scan: for every unit and every ratio of the grid
 * 0.9, 0.8, ..., 0.1, the calibration cross-entropy of the dense net with only that unit pruned (keeping the
 * channels of largest activation mass, a cheap stand-in for the method that will prune). Then a greedy descent
 * from the dense net: repeatedly lower by one grid step the unit whose step costs the least loss increase per
 * FLOP saved, until the target is met. Per-unit effects are assumed additive, as in sensitivity-based layouts.
 */
public final class FlopsTarget {
    private static final Logger LOG = LoggerFactory.getLogger(FlopsTarget.class);
    static final double[] GRID = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};

    private FlopsTarget() {}

    /** The layout; {@code inputSize} is the image size FLOPs are counted at. */
    public static Layout choose(ConvNet dense, Calibration calibration, PruneOptions options, double target, int inputSize) {
        if (!(target > 0 && target <= 1)) throw new IllegalArgumentException("--flops-target must be in (0, 1], got " + target);
        ConvSpec spec = dense.spec();
        long denseFlops = Complexity.of(spec, inputSize).flops();
        double[][] loss = sensitivity(dense, calibration, options);
        int[] step = new int[spec.units()];
        while (flops(spec, step, inputSize) > target * denseFlops) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            long now = flops(spec, step, inputSize);
            for (int u = 0; u < step.length; u++) {
                if (step[u] + 1 >= GRID.length) continue;
                step[u]++;
                long saved = now - flops(spec, step, inputSize);
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
                        + "leaves %.3f of the dense FLOPs", target, GRID[GRID.length - 1], flops(spec, step, inputSize) / (double) denseFlops));
            }
            step[best]++;
        }
        double[] ratios = new double[step.length];
        for (int u = 0; u < step.length; u++) ratios[u] = GRID[step[u]];
        LOG.info("flops target {}: ratios {} ({} of dense FLOPs)", target, Arrays.toString(ratios),
                String.format("%.4f", flops(spec, step, inputSize) / (double) denseFlops));
        return Layout.of(ratios);
    }

    private static long flops(ConvSpec spec, int[] step, int size) {
        double[] r = new double[step.length];
        for (int u = 0; u < r.length; u++) r[u] = GRID[step[u]];
        return Complexity.of(Layout.of(r).apply(spec), size).flops();
    }

    /** loss[u][g]: calibration cross-entropy with unit u alone at GRID[g] (g = 0: the dense loss). */
    static double[][] sensitivity(ConvNet net, Calibration calibration, PruneOptions options) {
        ConvSpec spec = net.spec();
        int rows = calibration.size(), batch = options.batchSize();
        double[][] loss = new double[spec.units()][GRID.length];
        for (int u = 0; u < spec.units(); u++) {
            Cancellation.checkpoint();
            ConvUnit unit = new ConvUnit(net, u, spec.inner(u), calibration, options);
            double[] mass = unit.activationMass();
            int n = spec.inner(u);
            try (NoGradGuard g = new NoGradGuard()) {
                for (int from = 0; from < rows; from += batch) {
                    int to = Math.min(rows, from + batch);
                    int[] idx = new int[to - from];
                    for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                    try (PointerScope scope = new PointerScope()) {
                        Tensor x = unit.input(from, to);
                        Tensor h = unit.hidden(x);
                        Tensor labels = calibration.labels(idx);
                        for (int gi = 0; gi < GRID.length; gi++) {
                            int keep = gi == 0 ? n : Math.max(1, (int) Math.floor(GRID[gi] * n));
                            float[] m = new float[n];
                            for (int c : TopK.indices(mass, keep)) m[c] = 1f;
                            Tensor logits = net.forwardAfter(net.blockOutput(x, h.mul(Tensors.of(m, 1, n, 1, 1)), u), u);
                            loss[u][gi] += torch.cross_entropy(logits, labels).item_double() * (to - from) / rows;
                        }
                    }
                }
            }
        }
        return loss;
    }
}
