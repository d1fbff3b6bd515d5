package io.ispasp.prune;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The reference path: every evaluation computes the residual R = Z - H_S W_S^T explicitly on the calibration
 * data, batch by batch, and the gradient G = dL/dH = R W (L = 0.5 ||R||^2 through the dense half), then reduces
 * G to the chosen score. H and Z are computed once and kept (D x (N + out) floats), as the authors keep H.
 * Works for any target; costs about D * out * (N + s) multiply-adds per evaluation.
 */
public final class DirectOracle implements ScoreOracle {
    private final Score score;
    private final Tensor weight;
    private final List<Tensor> hidden = new ArrayList<>();
    private final List<Tensor> targets = new ArrayList<>();
    private final double[] mass;
    private final int groups;
    private final int outputs;

    public DirectOracle(UnitContext ctx, Score score) {
        this.score = score;
        this.groups = ctx.groups();
        this.outputs = ctx.outputs();
        this.mass = new double[groups];
        int rows = ctx.calibration().size(), batch = ctx.options().batchSize();
        try (PointerScope scope = new PointerScope()) {
            this.weight = Tensors.retained(ctx.bWeight().contiguous());
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = Tensors.retained(ctx.hidden(ctx.input(from, to)).contiguous());
                    hidden.add(h);
                    targets.add(Tensors.retained(ctx.targetMinusBias(from, to, h).contiguous()));
                    Tensors.accumulate(mass, Tensors.columnSums(h));
                }
            }
        }
    }

    @Override
    public int groups() { return groups; }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        double[] scores = withScores ? new double[groups] : null;
        double residual = 0;
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = support.length > 0 ? Tensors.indices(support) : null;
            Tensor wS = idx != null ? weight.index_select(1, idx) : null;
            for (int b = 0; b < hidden.size(); b++) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = hidden.get(b), z = targets.get(b);
                    Tensor r = idx == null ? z : z.sub(h.index_select(1, idx).mm(wS.t()));
                    residual += Tensors.squaredNorm(r);
                    if (withScores) {
                        Tensor g = r.mm(weight);
                        Tensor reduced = switch (score) {
                            case SIGNED_SUM -> g;
                            case GROUP_NORM -> g.mul(g);
                            case CORRELATION -> h.mul(g);
                        };
                        // float32 column sums (pairwise within a batch), float64 across batches: a float64
                        // reduction of the [rows, N] tensor costs twice the time for no measurable accuracy
                        double[] part = Tensors.doubles(reduced.sum(0));
                        for (int c = 0; c < groups; c++) scores[c] += part[c];
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
        int s = support.length;
        double[] gram = new double[s * s], cross = new double[s * outputs];
        double zz = 0;
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(support);
            for (int b = 0; b < hidden.size(); b++) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor hS = Tensors.toDouble(hidden.get(b).index_select(1, idx));
                    Tensor z = Tensors.toDouble(targets.get(b));
                    Tensors.accumulate(gram, hS.t().mm(hS));
                    Tensors.accumulate(cross, hS.t().mm(z));
                    zz += z.mul(z).sum().item_double();
                }
            }
        }
        return new KeptStatistics(s, outputs, gram, cross, zz);
    }

    @Override
    public void close() {
        for (Tensor t : hidden) t.releaseReference();
        for (Tensor t : targets) t.releaseReference();
        hidden.clear();
        targets.clear();
        weight.releaseReference();
    }
}
