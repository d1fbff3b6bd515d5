// Tiled float64 GEMM: 64 x 64 block tile, k-slices of 16 staged in shared memory, 4 x 4 outputs per thread.
#include "common.cuh"
#include "gemm64.cuh"

namespace ispasp_cuda {
namespace {

constexpr int DB = 64, DK = 16, DT = 256;

template <bool TA, bool TB>
__global__ void __launch_bounds__(DT) dgemm_kernel(int M, int N, int K, double alpha, const double* __restrict__ A,
                                                   int lda, const double* __restrict__ B, int ldb, double beta,
                                                   double* __restrict__ C, int ldc, const int* skip) {
    if (skip && *skip) return;
    __shared__ double As[DK][DB + 1];
    __shared__ double Bs[DK][DB + 1];
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const int i0 = blockIdx.y * DB, j0 = blockIdx.x * DB;
    double acc[4][4];
#pragma unroll
    for (int r = 0; r < 4; ++r)
#pragma unroll
        for (int c = 0; c < 4; ++c) acc[r][c] = 0.0;

    for (int k0 = 0; k0 < K; k0 += DK) {
#pragma unroll
        for (int p = 0; p < (DB * DK) / DT; ++p) {
            const int e = tid + p * DT;
            int i, k;
            if (TA) { i = e % DB; k = e / DB; }   // A is K x M: consecutive threads along i (contiguous)
            else    { k = e % DK; i = e / DK; }   // A is M x K: consecutive threads along k (contiguous)
            const int gi = i0 + i, gk = k0 + k;
            double v = 0.0;
            if (gi < M && gk < K) v = TA ? A[(size_t)gk * lda + gi] : A[(size_t)gi * lda + gk];
            As[k][i] = v;
        }
#pragma unroll
        for (int p = 0; p < (DB * DK) / DT; ++p) {
            const int e = tid + p * DT;
            int j, k;
            if (TB) { k = e % DK; j = e / DK; }   // B is N x K
            else    { j = e % DB; k = e / DB; }   // B is K x N
            const int gj = j0 + j, gk = k0 + k;
            double v = 0.0;
            if (gj < N && gk < K) v = TB ? B[(size_t)gj * ldb + gk] : B[(size_t)gk * ldb + gj];
            Bs[k][j] = v;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < DK; ++k) {
            double a[4], b[4];
#pragma unroll
            for (int r = 0; r < 4; ++r) a[r] = As[k][ty + 16 * r];
#pragma unroll
            for (int c = 0; c < 4; ++c) b[c] = Bs[k][tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; ++r)
#pragma unroll
                for (int c = 0; c < 4; ++c) acc[r][c] = fma(a[r], b[c], acc[r][c]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int r = 0; r < 4; ++r) {
        const int i = i0 + ty + 16 * r;
        if (i >= M) continue;
#pragma unroll
        for (int c = 0; c < 4; ++c) {
            const int j = j0 + tx + 16 * c;
            if (j >= N) continue;
            double* o = C + (size_t)i * ldc + j;
            *o = beta == 0.0 ? alpha * acc[r][c] : alpha * acc[r][c] + beta * *o;
        }
    }
}

}  // namespace

void dgemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B, int ldb,
           double beta, double* C, int ldc, cudaStream_t s, const int* skip) {
    if (M <= 0 || N <= 0) return;
    const dim3 grid((N + DB - 1) / DB, (M + DB - 1) / DB);
    if (ta) {
        if (tb) dgemm_kernel<true, true><<<grid, DT, 0, s>>>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, skip);
        else    dgemm_kernel<true, false><<<grid, DT, 0, s>>>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, skip);
    } else {
        if (tb) dgemm_kernel<false, true><<<grid, DT, 0, s>>>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, skip);
        else    dgemm_kernel<false, false><<<grid, DT, 0, s>>>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, skip);
    }
    ISPASP_LAUNCHED();
}

}  // namespace ispasp_cuda
