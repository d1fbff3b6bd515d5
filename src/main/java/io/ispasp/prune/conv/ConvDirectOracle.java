package io.ispasp.prune.conv;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import io.ispasp.prune.Evaluation;
import io.ispasp.prune.ScoreOracle;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference path for conv units: every evaluation computes the residual R = Z - kappa * conv_B(H restricted
 * to S) explicitly (eval-mode BN on both halves), and the gradient G = dL/dH = conv_B^T(R) (a transposed conv
 * with kappa * W), then reduces G per channel to the score. Works for any B (3x3 or 1x1) and every score.
 * <p>Memory: H and Z are cached per batch when they fit in {@code cacheBytes}; otherwise each evaluation streams
 * the calibration images through the prefix again, so nothing holds all of a stage's activations.
 */
public final class ConvDirectOracle implements ScoreOracle {
    /** Default cache budget for H and Z (bytes). */
    public static final long DEFAULT_CACHE_BYTES = 1L << 30;

    private final ConvUnit unit;
    private final Score score;
    private final Tensor weight;
    private final int pad;
    private final int groups;
    private final double[] mass;
    private final List<Tensor[]> cache = new ArrayList<>();
    private final boolean cached;
    private final double dataSeconds;

    public ConvDirectOracle(ConvUnit unit, Score score, long cacheBytes) {
        this.unit = unit;
        this.score = score;
        this.groups = unit.groups();
        this.pad = unit.taps() == 9 ? 1 : 0;
        this.mass = new double[groups];
        long t0 = System.nanoTime();
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            this.weight = Tensors.retained(unit.net().outputWeight(unit.unit()).contiguous());
            long bytes = 0;
            boolean fits = true;
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, Math.min(rows, from + batch)));
                    Tensors.accumulate(mass, Tensors.channelSums(h));
                    bytes += 4 * (h.numel() + h.numel() / groups * unit.outputs());
                    fits &= bytes <= cacheBytes;
                    if (fits) cache.add(new Tensor[] {Tensors.retained(h.contiguous()), Tensors.retained(unit.target(h).contiguous())});
                }
            }
            this.cached = fits;
            if (!fits) release();
        }
        this.dataSeconds = (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds spent on the first pass (activation mass and, when cached, H and Z). */
    public double dataSeconds() { return dataSeconds; }

    /** Whether H and Z are held in memory (else each evaluation streams the data again). */
    public boolean cached() { return cached; }

    @Override
    public int groups() { return groups; }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        double[] scores = withScores ? new double[groups] : null;
        double residual = 0;
        float[] keep = new float[groups];
        for (int c : support) keep[c] = 1f;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor mask = Tensors.of(keep, 1, groups, 1, 1);
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int b = 0, from = 0; from < rows; b++, from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor h, z;
                    if (cached) {
                        h = cache.get(b)[0];
                        z = cache.get(b)[1];
                    } else {
                        h = unit.hidden(unit.input(from, Math.min(rows, from + batch)));
                        z = unit.target(h);
                    }
                    Tensor r = support.length == 0 ? z : z.sub(unit.net().outputLinear(h.mul(mask), unit.unit()));
                    residual += Tensors.squaredNorm(r);
                    if (withScores) {
                        Tensor grad = io.ispasp.engine.Convolution.convTranspose2d(r, weight, pad);
                        Tensor reduced = switch (score) {
                            case SIGNED_SUM -> grad;
                            case GROUP_NORM -> grad.mul(grad);
                            case CORRELATION -> h.mul(grad);
                        };
                        Tensors.accumulate(scores, Tensors.channelSums(reduced));
                    }
                }
            }
        }
        if (withScores && score == Score.GROUP_NORM) {
            for (int c = 0; c < groups; c++) scores[c] = Math.sqrt(Math.max(0, scores[c]));
        }
        return new Evaluation(scores, residual);
    }

    @Override
    public KeptStatistics kept(int[] support) {
        throw new UnsupportedOperationException("--refit is not available for conv units");
    }

    @Override
    public void close() {
        release();
        weight.releaseReference();
    }

    private void release() {
        for (Tensor[] t : cache) {
            t[0].releaseReference();
            t[1].releaseReference();
        }
        cache.clear();
    }
}
