package io.ispasp.baseline;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import io.ispasp.engine.Cancellation;
import io.ispasp.nn.arch.Bert;
import io.ispasp.prune.Selection;
import io.ispasp.prune.Selector;
import io.ispasp.prune.UnitData;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greedy forward selection (GFS; Ye, Gong, Nie, Zhou, Klivans and Liu, ICML 2020), as the authors' code runs it,
 * but stopping at exactly s = {@code unit.keep()} groups so the size matches i-SpaSP.
 * <p>The unit starts empty. Step n = 0 .. s-1 takes the next mini-batch of {@code gfsBatch} calibration rows,
 * draws K = {@code gfsCandidates} candidates uniformly without replacement from the groups not yet selected
 * (K = 0 or K >= remaining means all of them: exact GFS), and scores each candidate j by the cross-entropy of the
 * whole network on the mini-batch with the hidden layer masked to the selected set plus j. The mask follows
 * GFS's convex-combination step a' = (1 - 1/(n+1)) a + (1/(n+1)) e_j with channel multiplier N a, so after
 * adding j every kept channel is multiplied by N/(n+1). The candidate with the lowest loss is committed (ties:
 * lower index).
 * <p>The returned {@link Selection} has {@code columnScale = N/s}: GFS's network is the mean-field one whose kept
 * channels carry the multiplier N/s, and multiplying B's kept input columns by N/s is the same function.
 * {@code dataSeconds} is the time spent computing the unit's input X and H = A(X) for the mini-batches;
 * {@code iterationSeconds} the rest of the selection (the candidate evaluations); the two are disjoint.
 * <p>Mini-batches come from a seeded shuffle of the calibration rows ({@link MiniBatches}), reshuffled each epoch;
 * the candidate draws from a second, independent stream of the same seed. Both derive from
 * {@code seed * 1000003 + unit}, so the whole selection is reproducible.
 */
public final class GfsSelector implements Selector {
    private static final Logger LOG = LoggerFactory.getLogger(GfsSelector.class);

    /** Runs GFS on the unit with the seeded mini-batch order and candidate draws. */
    @Override
    public Selection select(UnitData unit) {
        if (unit.network().architecture() instanceof Bert) {
            throw new IllegalArgumentException("GFS scores a classifier's loss on labelled samples; an encoder (" + unit.name()
                    + ") outputs hidden states and its sentences carry no labels");
        }
        SplittableRandom root = new SplittableRandom(unit.options().seed() * 1000003L + unit.index());
        MiniBatches batches = new MiniBatches(unit.calibration().size(), unit.options().gfsBatch(), root.split());
        SplittableRandom candidates = root.split();
        return select(unit, step -> batches.next(), candidates);
    }

    /**
     * GFS with an explicit mini-batch sequence: {@code batchRows.apply(n)} gives the calibration rows scored at
     * step n. Candidates are drawn from {@code candidateRandom} (unused for exact GFS). Test oracles use this to
     * replay a known sequence.
     */
    Selection select(UnitData unit, IntFunction<int[]> batchRows, SplittableRandom candidateRandom) {
        if (!unit.calibration().labelled()) {
            throw new IllegalArgumentException("GFS scores the network's loss and needs labelled calibration data");
        }
        // The prefix and A do not change during selection, so X and H = A(X) are computed once per mini-batch
        // instead of once per candidate; every candidate's loss is unchanged by this.
        return greedy(unit.name(), unit.groups(), unit.keep(), unit.options().gfsCandidates(), batchRows, candidateRandom, rows -> {
            Tensor x = unit.input(rows);
            Tensor h = unit.hidden(x);
            Tensor labels = unit.calibration().labels(rows);
            return mask -> candidateLoss(unit, x, h, labels, mask);
        });
    }

    /** The network's loss on one prepared mini-batch with the unit's hidden channels multiplied by a mask. */
    @FunctionalInterface
    public interface CandidateLoss {
        double loss(float[] mask);
    }

    /**
     * The greedy loop: {@code s} steps over {@code n} groups, each on the mini-batch
     * {@code batchRows.apply(step)}, which {@code prepare} turns into a {@link CandidateLoss} (its tensors live in
     * the step's PointerScope; the time it takes is the selection's {@code dataSeconds}). Up to {@code k}
     * candidates per step (0 = all: exact GFS), drawn from {@code candidateRandom}; the lowest loss is committed
     * (ties: lower index). Returns the groups in selection order with {@code columnScale = n/s}.
     */
    public static Selection greedy(String name, int n, int s, int k, IntFunction<int[]> batchRows,
                                   SplittableRandom candidateRandom, java.util.function.Function<int[], CandidateLoss> prepare) {
        long start = System.nanoTime();
        int logEvery = Math.max(1, (int) Math.ceil(s / 10.0));
        boolean[] chosen = new boolean[n];
        int[] order = new int[s];
        long dataNanos = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int step = 0; step < s; step++) {
                Cancellation.checkpoint();
                int[] rows = batchRows.apply(step);
                float scale = (float) n / (step + 1);
                int best = -1;
                double bestLoss = Double.POSITIVE_INFINITY;
                // One scope per step: the prepared batch lives for the step, the candidates' tensors for less.
                try (PointerScope stepScope = new PointerScope()) {
                    long t0 = System.nanoTime();
                    CandidateLoss batch = prepare.apply(rows);
                    dataNanos += System.nanoTime() - t0;
                    for (int j : candidates(chosen, k, candidateRandom)) {
                        double loss = batch.loss(mask(chosen, j, scale));
                        if (loss < bestLoss || (loss == bestLoss && j < best)) {
                            bestLoss = loss;
                            best = j;
                        }
                    }
                }
                if (best < 0) {
                    throw new IllegalStateException(name + ": no finite GFS loss at step " + step);
                }
                chosen[best] = true;
                order[step] = best;
                LOG.debug("gfs {} step {}/{}: added group {} (batch loss {})", name, step + 1, s, best, bestLoss);
                if ((step + 1) % logEvery == 0 || step + 1 == s) {
                    LOG.info("gfs {}: {}/{} groups selected, batch loss {}", name, step + 1, s, String.format("%.5f", bestLoss));
                }
            }
        }
        double total = (System.nanoTime() - start) / 1e9;
        double dataSeconds = dataNanos / 1e9;
        return new Selection(Arrays.copyOf(order, s), (float) n / s, null, null, "-", "", new double[0], s, Double.NaN, null,
                Double.NaN, dataSeconds, total - dataSeconds, 0);
    }

    /**
     * Cross-entropy of the network on one mini-batch when the unit's hidden activations {@code h} are multiplied
     * by {@code mask}: one full forward of B and every later layer, as in the reference code (a dense masked
     * forward, not a reduced one, so the cost per candidate is the one the benchmarks compare).
     */
    private static double candidateLoss(UnitData unit, Tensor x, Tensor h, Tensor labels, float[] mask) {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = unit.unit().forwardFromHidden(x, h.mul(unit.groupVector(mask)));
            return torch.cross_entropy(logits, labels).item_double();
        }
    }

    /** Channel multipliers N a' after adding j: {@code scale} on the selected groups and j, 0 elsewhere. */
    private static float[] mask(boolean[] chosen, int j, float scale) {
        float[] m = new float[chosen.length];
        for (int i = 0; i < m.length; i++) if (chosen[i]) m[i] = scale;
        m[j] = scale;
        return m;
    }

    /**
     * The candidates of one step: all unselected groups in increasing order when {@code k} is 0 or covers them
     * (exact GFS), else {@code k} of them uniformly without replacement (partial Fisher-Yates).
     */
    public static int[] candidates(boolean[] chosen, int k, SplittableRandom rnd) {
        int remaining = 0;
        for (boolean c : chosen) if (!c) remaining++;
        int[] free = new int[remaining];
        for (int i = 0, f = 0; i < chosen.length; i++) if (!chosen[i]) free[f++] = i;
        if (k == 0 || k >= remaining) return free;
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(remaining - i);
            int t = free[i];
            free[i] = free[j];
            free[j] = t;
        }
        return Arrays.copyOf(free, k);
    }

    /**
     * The GFS mini-batch stream: a seeded shuffle of {@code rows} calibration rows cut into batches of
     * {@code batch}; when an epoch runs out a fresh shuffle starts. The last batch of an epoch may be shorter (as
     * a PyTorch DataLoader without drop_last); a batch larger than the data is the whole data.
     */
    public static final class MiniBatches {
        private final int[] perm;
        private final int batch;
        private final SplittableRandom rnd;
        private int pos;

        public MiniBatches(int rows, int batch, SplittableRandom rnd) {
            if (rows < 1 || batch < 1) throw new IllegalArgumentException("need rows and batch >= 1");
            this.perm = new int[rows];
            for (int i = 0; i < rows; i++) perm[i] = i;
            this.batch = Math.min(batch, rows);
            this.rnd = rnd;
            shuffle();
        }

        /** The next mini-batch's row indices. */
        public int[] next() {
            if (pos == perm.length) shuffle();
            int end = Math.min(perm.length, pos + batch);
            int[] out = Arrays.copyOfRange(perm, pos, end);
            pos = end;
            return out;
        }

        private void shuffle() {
            for (int i = perm.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            pos = 0;
        }
    }
}
