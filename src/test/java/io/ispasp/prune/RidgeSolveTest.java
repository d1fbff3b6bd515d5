package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The refit's ridge solve (Cholesky, then two triangular solves) against the obvious route: the identity matrix
 * times lambda added to the Gram and libtorch's {@code cholesky_solve}, in float64 on random systems of the sizes a
 * unit's least-squares cut meets (up to 3s groups of 9 taps), also with a singular Gram that only the ridge makes solvable.
 */
class RidgeSolveTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void theTriangularSolvesGiveCholeskySolvesAnswer() {
        int[][] sizes = {{1, 1}, {9, 3}, {90, 16}, {612, 64}, {1000, 5}};
        for (int[] size : sizes) {
            int f = size[0], out = size[1];
            for (int rank : new int[] {3 * f, Math.max(1, f / 2)}) {   // full rank, and rank-deficient (the ridge matters)
                try (PointerScope s = new PointerScope()) {
                    torch.manual_seed(f * 31L + rank);
                    Tensor u = torch.randn(rank, f).to(torch.ScalarType.Double);
                    Tensor gram = u.t().mm(u), cross = u.t().mm(torch.randn(rank, out).to(torch.ScalarType.Double));
                    double rel = 1e-3;
                    double lambda = Math.max(rel * gram.diagonal().mean().item_double(), 1e-12);
                    Tensor eye = torch.eye(f).to(torch.ScalarType.Double);
                    Tensor expected = torch.cholesky_solve(cross, torch.linalg_cholesky(gram.add(eye.mul(new Scalar(lambda)))));
                    Tensor got = Refit.ridge(gram, cross, rel);
                    double scale = expected.abs().max().item_double();
                    double diff = got.sub(expected).abs().max().item_double();
                    assertTrue(diff <= 1e-12 * Math.max(1, scale), f + " features, rank " + rank + ": off by " + diff + " of " + scale);
                    // and it solves the ridge system: (G + lambda I) x = C
                    Tensor lhs = gram.mm(got).add(got.mul(new Scalar(lambda)));
                    assertEquals(0, lhs.sub(cross).abs().max().item_double(), 1e-8 * Math.max(1, cross.abs().max().item_double()));
                }
            }
        }
    }
}
