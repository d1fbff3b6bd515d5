package io.ispasp.prune;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Ridge least-squares refit of B's kept input columns so the pruned unit best reproduces its target on the
 * calibration data: W_S = C_S^T (Gamma_SS + lambda I)^-1, lambda = rel * mean(diag Gamma_SS). B's bias is kept.
 */
public final class Refit {
    private Refit() {}

    /** The refit weight ([out, s] row-major, float) and the residual ||R||^2 it leaves on the calibration data. */
    public record Result(float[] weight, double residual) {}

    public static Result solve(ScoreOracle.KeptStatistics k, double relativeLambda) {
        int s = k.size(), out = k.outputs();
        try (PointerScope scope = new PointerScope()) {
            Tensor gram = Tensors.of(k.gram(), s, s);
            Tensor cross = Tensors.of(k.cross(), s, out);
            double meanDiag = gram.diagonal().mean().item_double();
            double lambda = Math.max(relativeLambda * meanDiag, 1e-12 * Math.max(1, meanDiag));
            Tensor eye = torch.eye(s).to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
            Tensor l = null;
            // Gram matrices summed from float32 batches can be indefinite by rounding when groups are (nearly)
            // collinear or dead; a larger ridge then makes the system solvable (ten tries, x10 each).
            for (int attempt = 0; l == null; attempt++) {
                try {
                    l = torch.linalg_cholesky(gram.add(eye.mul(new org.bytedeco.pytorch.Scalar(lambda))));
                } catch (RuntimeException e) {
                    if (attempt == 9) throw new IllegalStateException("refit: the kept groups' Gram matrix is not positive definite even with ridge " + lambda, e);
                    lambda *= 10;
                }
            }
            Tensor x = torch.cholesky_solve(cross, l);             // [s, out]
            double residual = k.targetSquaredNorm() - 2 * x.mul(cross).sum().item_double()
                    + gram.mm(x).mul(x).sum().item_double();
            return new Result(Tensors.floats(x.t().contiguous()), Math.max(0, residual));
        }
    }
}
