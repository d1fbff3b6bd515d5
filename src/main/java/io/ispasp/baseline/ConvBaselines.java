package io.ispasp.baseline;

import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.Selection;
import io.ispasp.prune.TopK;
import io.ispasp.prune.conv.ConvSelector;
import io.ispasp.prune.conv.ConvUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The baselines of SPEC section 5 on conv units: magnitude (L1 norm of A's filters: conv1, or the expand conv),
 * activation mass (top-s by a), random, and GFS. They select the same groups as their MLP versions would on the
 * same numbers; GFS scores every candidate by a full forward of the rest of the network (the block's B, the
 * shortcut and every later block and the head) on a mini-batch, with X and H computed once per mini-batch.
 */
public final class ConvBaselines {
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

    /** a[c] = sum of H[c] over the calibration images and positions, float64 ({@link ConvUnit#activationMass()}). */
    public static double[] activationMass(ConvUnit unit) {
        return unit.activationMass();
    }

    private static Selection gfs(ConvUnit unit) {
        int n = unit.groups();
        SplittableRandom root = new SplittableRandom(unit.options().seed() * 1000003L + unit.unit());
        GfsSelector.MiniBatches batches = new GfsSelector.MiniBatches(unit.calibration().size(), unit.options().gfsBatch(), root.split());
        SplittableRandom candidateRandom = root.split();
        return GfsSelector.greedy(unit.name(), n, unit.keep(), unit.options().gfsCandidates(), step -> batches.next(),
                candidateRandom, rows -> {
                    Tensor x = unit.net().unitInput(unit.calibration().images(rows), unit.unit());
                    Tensor h = unit.hidden(x);
                    Tensor labels = unit.calibration().labels(rows);
                    return mask -> {
                        try (PointerScope scope = new PointerScope()) {
                            Tensor masked = h.mul(Tensors.of(mask, 1, n, 1, 1));
                            Tensor logits = unit.net().forwardAfter(unit.net().blockOutput(x, masked, unit.unit()), unit.unit());
                            return torch.cross_entropy(logits, labels).item_double();
                        }
                    };
                });
    }
}
