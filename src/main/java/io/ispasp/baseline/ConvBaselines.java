package io.ispasp.baseline;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.Selection;
import io.ispasp.prune.TopK;
import io.ispasp.prune.conv.ConvSelector;
import io.ispasp.prune.conv.ConvUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baselines of SPEC section 5 on conv units: magnitude (L1 norm of A's filters: conv1, or the expand conv),
 * activation mass (top-s by a), random, and GFS. They select the same groups as their MLP versions would on the
 * same numbers; GFS scores every candidate by a full forward of the rest of the network (the block's B, the
 * shortcut and every later block and the head) on a mini-batch, with X and H computed once per mini-batch.
 */
public final class ConvBaselines {
    private static final Logger LOG = LoggerFactory.getLogger(ConvBaselines.class);

    private ConvBaselines() {}

    public static ConvSelector magnitude() {
        return unit -> {
            long t0 = System.nanoTime();
            int[] kept = TopK.indices(unit.net().filterNorms(unit.unit()), unit.keep());
            return Selection.of(kept, (System.nanoTime() - t0) / 1e9);
        };
    }

    public static ConvSelector activation() {
        return unit -> {
            long t0 = System.nanoTime();
            double[] mass = activationMass(unit);
            double data = (System.nanoTime() - t0) / 1e9;
            int[] kept = TopK.indices(mass, unit.keep());
            return new Selection(kept, 1f, null, "-", "", new double[0], 0, null, data, (System.nanoTime() - t0) / 1e9 - data);
        };
    }

    public static ConvSelector random() {
        return unit -> {
            long t0 = System.nanoTime();
            SplittableRandom rnd = new SplittableRandom(unit.options().seed() * 1000003L + unit.unit());
            return Selection.of(RandomSelector.sample(rnd, unit.groups(), unit.keep()), (System.nanoTime() - t0) / 1e9);
        };
    }

    /** GFS as {@link GfsSelector} describes it, on a conv unit; kept channels are scaled by N/s. */
    public static ConvSelector gfs() {
        return ConvBaselines::gfs;
    }

    /** a[c] = sum of H[c] over the calibration images and positions, float64. */
    public static double[] activationMass(ConvUnit unit) {
        double[] mass = new double[unit.groups()];
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, Math.min(rows, from + batch)));
                    Tensors.accumulate(mass, Tensors.channelSums(h));
                }
            }
        }
        return mass;
    }

    private static Selection gfs(ConvUnit unit) {
        long start = System.nanoTime();
        int n = unit.groups(), s = unit.keep(), k = unit.options().gfsCandidates();
        SplittableRandom root = new SplittableRandom(unit.options().seed() * 1000003L + unit.unit());
        GfsSelector.MiniBatches batches = new GfsSelector.MiniBatches(unit.calibration().size(), unit.options().gfsBatch(), root.split());
        SplittableRandom candidateRandom = root.split();
        boolean[] chosen = new boolean[n];
        int[] order = new int[s];
        long dataNanos = 0;
        int logEvery = Math.max(1, (int) Math.ceil(s / 10.0));
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int step = 0; step < s; step++) {
                int[] rows = batches.next();
                float scale = (float) n / (step + 1);
                int best = -1;
                double bestLoss = Double.POSITIVE_INFINITY;
                try (PointerScope stepScope = new PointerScope()) {
                    long t0 = System.nanoTime();
                    Tensor x = unit.net().unitInput(unit.calibration().images(rows), unit.unit());
                    Tensor h = unit.hidden(x);
                    Tensor labels = unit.calibration().labels(rows);
                    dataNanos += System.nanoTime() - t0;
                    for (int j : GfsSelector.candidates(chosen, k, candidateRandom)) {
                        double loss;
                        try (PointerScope scope = new PointerScope()) {
                            float[] m = new float[n];
                            for (int i = 0; i < n; i++) if (chosen[i]) m[i] = scale;
                            m[j] = scale;
                            Tensor masked = h.mul(Tensors.of(m, 1, n, 1, 1));
                            Tensor logits = unit.net().forwardAfter(unit.net().blockOutput(x, masked, unit.unit()), unit.unit());
                            loss = torch.cross_entropy(logits, labels).item_double();
                        }
                        if (loss < bestLoss || (loss == bestLoss && j < best)) {
                            bestLoss = loss;
                            best = j;
                        }
                    }
                }
                if (best < 0) throw new IllegalStateException(unit.name() + ": no finite GFS loss at step " + step);
                chosen[best] = true;
                order[step] = best;
                if ((step + 1) % logEvery == 0 || step + 1 == s) {
                    LOG.info("gfs {}: {}/{} groups selected, batch loss {}", unit.name(), step + 1, s, String.format("%.5f", bestLoss));
                }
            }
        }
        double total = (System.nanoTime() - start) / 1e9, data = dataNanos / 1e9;
        return new Selection(Arrays.copyOf(order, s), (float) n / s, null, "-", "", new double[0], s, null, data, total - data);
    }
}
