// Internal float64 GEMM used by the unit set-up and the group-norm support form.
#pragma once
#include <cuda_runtime.h>

namespace ispasp_cuda {

// C[M x N] = alpha * op(A) op(B) + beta * C, all row-major. op(A) = A (M x K, lda) or, with ta, A^T where A
// is K x M; op(B) = B (K x N, ldb) or, with tb, B^T where B is N x K. beta == 0 never reads C.
// skip != null: the kernel returns at once when *skip != 0 (device-side early stop of the i-SpaSP loop).
// Does nothing for M, N == 0; K == 0 gives C = beta C.
void dgemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B, int ldb,
           double beta, double* C, int ldc, cudaStream_t s, const int* skip = nullptr);

}  // namespace ispasp_cuda
