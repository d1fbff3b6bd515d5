// Packed, register-blocked matrix product for the CPU twin: C (+)= A B with A [m x k], B [k x n], either operand
// possibly stored transposed. Float (the statistics' Gram) and double (unit set-up) share one template.
// Structure follows the classic Goto scheme: B is packed in KC x NC blocks, A in MC x KC blocks, and a
// MR x NR micro-kernel keeps its tile of C in vector registers. The AVX2+FMA build of the micro-kernel is
// chosen at run time, so the library still runs on any x86-64.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace ispasp {

int cpu_threads();

// Runs fn(worker) on `workers` threads (the caller is worker 0) and joins them.
template <class Fn>
void run_workers(int workers, Fn fn) {
    if (workers <= 1) { fn(0); return; }
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (int w = 1; w < workers; w++) pool.emplace_back(fn, w);
    fn(0);
    for (auto& t : pool) t.join();
}

// A read-only matrix view: element (r, c) is p[r * ld + c], or p[c * ld + r] when transposed.
// With `rows` set (untransposed views only), logical row r is stored row rows[r]: a gather without a copy.
template <class T>
struct View {
    const T* p;
    int64_t ld;
    bool trans;
    const int32_t* rows = nullptr;
    T at(int64_t r, int64_t c) const {
        if (trans) return p[c * ld + r];
        return p[(rows ? int64_t(rows[r]) : r) * ld + c];
    }
};

template <class T> struct Tile;
template <> struct Tile<float> { static constexpr int MR = 6, NR = 16, VL = 8, KC = 256, MC = 72, NC = 128; };
template <> struct Tile<double> { static constexpr int MR = 6, NR = 8, VL = 4, KC = 256, MC = 72, NC = 128; };

// acc[MR x NR] = sum over kk of ap[kk][r] * bp[kk][c]; written into out (MR x NR, dense).
template <class T, int MR, int NR, int VL>
__attribute__((always_inline)) static inline void micro_kernel_body(int kc, const T* ap, const T* bp, T* out) {
    typedef T vec __attribute__((vector_size(VL * sizeof(T))));
    constexpr int NV = NR / VL;
    vec acc[MR][NV];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = vec{} ;
    for (int kk = 0; kk < kc; kk++) {
        vec b[NV];
        for (int v = 0; v < NV; v++) std::memcpy(&b[v], bp + kk * NR + v * VL, sizeof(vec));
        for (int r = 0; r < MR; r++) {
            T a = ap[kk * MR + r];
            for (int v = 0; v < NV; v++) acc[r][v] += a * b[v];
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) std::memcpy(out + r * NR + v * VL, &acc[r][v], sizeof(vec));
}

template <class T>
__attribute__((target("avx2,fma"))) void micro_kernel_avx2(int kc, const T* ap, const T* bp, T* out) {
    micro_kernel_body<T, Tile<T>::MR, Tile<T>::NR, Tile<T>::VL>(kc, ap, bp, out);
}

template <class T>
void micro_kernel_generic(int kc, const T* ap, const T* bp, T* out) {
    micro_kernel_body<T, Tile<T>::MR, Tile<T>::NR, Tile<T>::VL>(kc, ap, bp, out);
}

bool cpu_has_avx2();

// C[m x n] (ldc) = (accumulate ? C : 0) + A B. With upper_only, only tiles that touch the upper triangle
// (j >= i) are computed and the strictly-lower part of C is left undefined. With crows, row i of C is stored
// at row crows[i] (a scatter without a copy).
template <class T>
void gemm(int64_t m, int64_t n, int64_t k, View<T> a, View<T> b, T* c, int64_t ldc, bool accumulate, bool upper_only,
          const int32_t* crows = nullptr) {
    using P = Tile<T>;
    constexpr int MR = P::MR, NR = P::NR;
    auto crow_of = [&](int64_t i) { return c + (crows ? int64_t(crows[i]) : i) * ldc; };
    if (!accumulate)
        for (int64_t i = 0; i < m; i++) std::fill(crow_of(i), crow_of(i) + n, T(0));
    if (m == 0 || n == 0 || k == 0) return;
    auto kernel = cpu_has_avx2() ? &micro_kernel_avx2<T> : &micro_kernel_generic<T>;
    // Work items: column blocks of NC, most expensive first (upper_only: later blocks hold more rows).
    int64_t blocks = (n + P::NC - 1) / P::NC;
    std::vector<int64_t> order(blocks);
    for (int64_t i = 0; i < blocks; i++) order[i] = upper_only ? blocks - 1 - i : i;
    double flops = double(m) * n * k;
    int workers = int(std::min<int64_t>(blocks, flops < 4e6 ? 1 : cpu_threads()));
    // A's k-slice is packed once per slice (panels of MR rows) and shared by the workers; each worker packs the
    // B block of the column block it takes.
    int64_t mpad = (m + MR - 1) / MR * MR;
    std::vector<T> apack(size_t(mpad) * P::KC);
    for (int64_t k0 = 0; k0 < k; k0 += P::KC) {
        int kc = int(std::min<int64_t>(P::KC, k - k0));
        for (int64_t ip = 0; ip < mpad; ip += MR) {
            T* dst = apack.data() + ip * kc;
            for (int kk = 0; kk < kc; kk++)
                for (int ii = 0; ii < MR; ii++)
                    dst[kk * MR + ii] = ip + ii < m ? a.at(ip + ii, k0 + kk) : T(0);
        }
        std::atomic<int64_t> next{0};
        run_workers(workers, [&](int) {
            std::vector<T> bpack(size_t(P::KC) * P::NC);
            T tile[MR * NR];
            for (int64_t item; (item = next.fetch_add(1)) < blocks;) {
                int64_t j0 = order[item] * P::NC, nc = std::min<int64_t>(P::NC, n - j0);
                int64_t iend = upper_only ? std::min<int64_t>(m, j0 + nc) : m;
                // pack B[k0:k0+kc, j0:j0+nc] as panels of NR columns, zero padded
                for (int64_t jp = 0; jp < nc; jp += NR) {
                    T* dst = bpack.data() + jp * kc;
                    for (int kk = 0; kk < kc; kk++)
                        for (int jj = 0; jj < NR; jj++)
                            dst[kk * NR + jj] = jp + jj < nc ? b.at(k0 + kk, j0 + jp + jj) : T(0);
                }
                // rows in blocks of MC so the A panels in use stay in cache while the B block is swept
                for (int64_t i0 = 0; i0 < iend; i0 += P::MC) {
                    int64_t mc = std::min<int64_t>(P::MC, iend - i0);
                    for (int64_t jp = 0; jp < nc; jp += NR) {
                        for (int64_t ip = 0; ip < mc; ip += MR) {
                            int64_t gi = i0 + ip, gj = j0 + jp;
                            if (upper_only && gj + NR - 1 < gi) continue;  // tile entirely below the diagonal
                            kernel(kc, apack.data() + gi * kc, bpack.data() + jp * kc, tile);
                            int rows = int(std::min<int64_t>(MR, iend - gi)), cols = int(std::min<int64_t>(NR, nc - jp));
                            for (int r = 0; r < rows; r++) {
                                T* crow = crow_of(gi + r) + gj;
                                for (int q = 0; q < cols; q++) crow[q] += tile[r * NR + q];
                            }
                        }
                    }
                }
            }
        });
    }
}

}  // namespace ispasp
