// Statistics accumulator: Gamma += H^T H (fp32 batch Gram, upper-triangle tiles only), a += column sums.
#include <algorithm>
#include <memory>
#include <vector>

#include "common.cuh"

using namespace ispasp_cuda;

namespace {

constexpr int GB = 128;       // block tile (both dimensions)
constexpr int GK = 8;         // k-slice (rows of H) per stage
constexpr int GTHREADS = 256; // 16 x 16 threads, 8 x 8 outputs each
constexpr int CHUNK_ROWS = 4096;
constexpr int COLSUM_PARTS = 64;

__device__ __forceinline__ float4 load_h4(const float* __restrict__ H, int r, int rows, int n, int c, bool vec) {
    float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
    if (r >= rows) return v;
    const float* p = H + (size_t)r * n;
    if (vec) {
        if (c < n) v = *reinterpret_cast<const float4*>(p + c);  // n % 4 == 0 and c % 4 == 0: c + 3 < n
    } else {
        if (c + 0 < n) v.x = p[c + 0];
        if (c + 1 < n) v.y = p[c + 1];
        if (c + 2 < n) v.z = p[c + 2];
        if (c + 3 < n) v.w = p[c + 3];
    }
    return v;
}

// G[i][j] += sum_r H[r][i] H[r][j] for the tiles with block row <= block column (upper triangle incl.
// diagonal tiles, which are computed in full). G64 != null: add into the float64 total; else into G32.
__global__ void __launch_bounds__(GTHREADS, 2)
gram_kernel(const float* __restrict__ H, int rows, int n, float* __restrict__ G32, double* __restrict__ G64) {
    const int bi = blockIdx.y, bj = blockIdx.x;
    if (bi > bj) return;  // lower triangle: mirrored at stats_get
    __shared__ __align__(16) float As[2][GK][GB];
    __shared__ __align__(16) float Bs[2][GK][GB];

    const int tid = threadIdx.x;
    const int lr = tid >> 5;         // k row of the slice this thread loads (0..7)
    const int lc = (tid & 31) * 4;   // 4 consecutive columns (0..124)
    const int i0 = bi * GB, j0 = bj * GB;
    const bool vec = (n & 3) == 0;
    const int tx = tid & 15, ty = tid >> 4;

    float acc[8][8];
#pragma unroll
    for (int r = 0; r < 8; ++r)
#pragma unroll
        for (int c = 0; c < 8; ++c) acc[r][c] = 0.f;

    const int nk = (rows + GK - 1) / GK;
    float4 ra = load_h4(H, lr, rows, n, i0 + lc, vec);
    float4 rb = load_h4(H, lr, rows, n, j0 + lc, vec);
    *reinterpret_cast<float4*>(&As[0][lr][lc]) = ra;
    *reinterpret_cast<float4*>(&Bs[0][lr][lc]) = rb;
    __syncthreads();

    for (int kt = 0; kt < nk; ++kt) {
        const int cur = kt & 1;
        const bool more = kt + 1 < nk;
        if (more) {  // prefetch the next slice into registers while computing this one
            const int r = (kt + 1) * GK + lr;
            ra = load_h4(H, r, rows, n, i0 + lc, vec);
            rb = load_h4(H, r, rows, n, j0 + lc, vec);
        }
#pragma unroll
        for (int k = 0; k < GK; ++k) {
            const float4 a0 = *reinterpret_cast<const float4*>(&As[cur][k][ty * 4]);
            const float4 a1 = *reinterpret_cast<const float4*>(&As[cur][k][64 + ty * 4]);
            const float4 b0 = *reinterpret_cast<const float4*>(&Bs[cur][k][tx * 4]);
            const float4 b1 = *reinterpret_cast<const float4*>(&Bs[cur][k][64 + tx * 4]);
            const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int r = 0; r < 8; ++r)
#pragma unroll
                for (int c = 0; c < 8; ++c) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
        }
        if (more) {  // the other buffer was last read in iteration kt-1, which ended with a barrier
            *reinterpret_cast<float4*>(&As[cur ^ 1][lr][lc]) = ra;
            *reinterpret_cast<float4*>(&Bs[cur ^ 1][lr][lc]) = rb;
        }
        __syncthreads();
    }

#pragma unroll
    for (int r = 0; r < 8; ++r) {
        const int i = i0 + (r < 4 ? ty * 4 + r : 64 + ty * 4 + (r - 4));
        if (i >= n) continue;
#pragma unroll
        for (int c = 0; c < 8; ++c) {
            const int j = j0 + (c < 4 ? tx * 4 + c : 64 + tx * 4 + (c - 4));
            if (j >= n) continue;
            const size_t o = (size_t)i * n + j;
            if (G64)
                G64[o] += (double)acc[r][c];
            else
                G32[o] += acc[r][c];
        }
    }
}

// partial[p][c] = sum of H[r][c] for r in part p (float64), deterministic.
__global__ void colsum_partial_kernel(const float* __restrict__ H, int rows, int n, int rows_per_part,
                                      double* __restrict__ partial) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n) return;
    const int p = blockIdx.y;
    const int r0 = p * rows_per_part, r1 = min(rows, r0 + rows_per_part);
    double s = 0.0;
    for (int r = r0; r < r1; ++r) s += (double)H[(size_t)r * n + c];
    partial[(size_t)p * n + c] = s;
}

__global__ void colsum_finish_kernel(const double* __restrict__ partial, int parts, int n, double* __restrict__ mass) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n) return;
    double s = 0.0;
    for (int p = 0; p < parts; ++p) s += partial[(size_t)p * n + c];
    mass[c] += s;
}

__global__ void fill_random_kernel(float* x, size_t count, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count; i += (size_t)gridDim.x * blockDim.x) {
        const uint32_t h = bench_hash((uint64_t)i, seed);
        x[i] = (float)(h >> 8) * (1.0f / 16777216.0f) - 0.25f;
    }
}

void launch_gram(const float* H, int rows, int n, float* G32, double* G64, cudaStream_t s) {
    const int t = (n + GB - 1) / GB;
    gram_kernel<<<dim3(t, t), GTHREADS, 0, s>>>(H, rows, n, G32, G64);
    ISPASP_LAUNCHED();
}

}  // namespace

struct ispasp_stats {
    int dev = 0;
    int n = 0;
    int fp64 = 0;
    int64_t rows = 0;
    Stream stream;
    DevBuf<float> h;       // one chunk of rows
    int h_rows = 0;        // capacity of h in rows
    DevBuf<float> g32;     // total (fp64 == 0)
    DevBuf<double> g64;    // total (fp64 != 0)
    DevBuf<double> mass;
    DevBuf<double> partial;
};

extern "C" ispasp_stats* ispasp_cuda_stats_new(int n, int fp64) {
    ispasp_stats* st = nullptr;
    int rc = guard<int>([&]() -> int {
        if (n <= 0) throw_arg("stats_new: n must be positive, got " + std::to_string(n));
        std::unique_ptr<ispasp_stats> p(new ispasp_stats());
        p->dev = current_device();
        DeviceGuard dg_(p->dev);
        p->n = n;
        p->fp64 = fp64 != 0;
        p->stream.create();
        const size_t nn = (size_t)n * n;
        if (p->fp64) {
            p->g64.alloc(nn);
            ISPASP_CK(cudaMemsetAsync(p->g64.p, 0, nn * sizeof(double), p->stream.s));
        } else {
            p->g32.alloc(nn);
            ISPASP_CK(cudaMemsetAsync(p->g32.p, 0, nn * sizeof(float), p->stream.s));
        }
        p->mass.alloc(n);
        ISPASP_CK(cudaMemsetAsync(p->mass.p, 0, n * sizeof(double), p->stream.s));
        p->partial.alloc((size_t)COLSUM_PARTS * n);
        ISPASP_CK(cudaStreamSynchronize(p->stream.s));
        st = p.release();
        return 0;
    });
    return rc == 0 ? st : nullptr;
}

extern "C" int ispasp_cuda_stats_add(ispasp_stats* st, const float* h, int64_t rows) {
    return guard<int>([&]() -> int {
        if (!st) throw_arg("stats_add: null stats");
        if (rows < 0) throw_arg("stats_add: rows < 0");
        if (rows == 0) return 0;
        if (!h) throw_arg("stats_add: null h");
        DeviceGuard dg_(st->dev);
        const int n = st->n;
        const int want = (int)std::min<int64_t>(rows, CHUNK_ROWS);
        if (st->h_rows < want) {
            st->h.release();
            st->h_rows = 0;
            st->h.alloc((size_t)want * n);
            st->h_rows = want;
        }
        cudaStream_t s = st->stream.s;
        for (int64_t off = 0; off < rows; off += CHUNK_ROWS) {
            const int cr = (int)std::min<int64_t>(CHUNK_ROWS, rows - off);
            ISPASP_CK(cudaMemcpyAsync(st->h.p, h + off * n, (size_t)cr * n * sizeof(float), cudaMemcpyHostToDevice, s));
            launch_gram(st->h.p, cr, n, st->fp64 ? nullptr : st->g32.p, st->fp64 ? st->g64.p : nullptr, s);
            const int rpp = (cr + COLSUM_PARTS - 1) / COLSUM_PARTS;
            const int parts = (cr + rpp - 1) / rpp;
            colsum_partial_kernel<<<dim3((n + 255) / 256, parts), 256, 0, s>>>(st->h.p, cr, n, rpp, st->partial.p);
            ISPASP_LAUNCHED();
            colsum_finish_kernel<<<(n + 255) / 256, 256, 0, s>>>(st->partial.p, parts, n, st->mass.p);
            ISPASP_LAUNCHED();
        }
        ISPASP_CK(cudaStreamSynchronize(s));
        st->rows += rows;
        return 0;
    });
}

extern "C" int ispasp_cuda_stats_get(ispasp_stats* st, double* mass, double* gram) {
    return guard<int>([&]() -> int {
        if (!st) throw_arg("stats_get: null stats");
        if (!mass || !gram) throw_arg("stats_get: null mass or gram");
        DeviceGuard dg_(st->dev);
        const size_t n = (size_t)st->n;
        ISPASP_CK(cudaMemcpy(mass, st->mass.p, n * sizeof(double), cudaMemcpyDeviceToHost));
        {
            if (st->fp64) {
                ISPASP_CK(cudaMemcpy(gram, st->g64.p, n * n * sizeof(double), cudaMemcpyDeviceToHost));
                for (size_t i = 1; i < n; ++i)
                    for (size_t j = 0; j < i; ++j) gram[i * n + j] = gram[j * n + i];
            } else {
                std::vector<float> tmp(n * n);
                ISPASP_CK(cudaMemcpy(tmp.data(), st->g32.p, n * n * sizeof(float), cudaMemcpyDeviceToHost));
                for (size_t i = 0; i < n; ++i)
                    for (size_t j = 0; j < n; ++j) gram[i * n + j] = (double)(i <= j ? tmp[i * n + j] : tmp[j * n + i]);
            }
        }
        return 0;
    });
}

extern "C" int64_t ispasp_cuda_stats_rows(ispasp_stats* st) {
    if (!st) {
        set_error("stats_rows: null stats");
        return ISPASP_EARG;
    }
    return st->rows;
}

extern "C" void ispasp_cuda_stats_free(ispasp_stats* st) {
    if (!st) return;
    DeviceGuard dg_(st->dev, true);
    delete st;
}

// ------------------------------------------------------------------ bench hook (device time only)
extern "C" int ispasp_cuda_bench_gram(int n, int rows, int reps, double* median_ms) {
    return guard<int>([&]() -> int {
        if (n <= 0 || rows <= 0 || reps <= 0 || !median_ms) throw_arg("bench_gram: bad argument");
        const int dev = current_device();
        DeviceGuard dg_(dev);
        Stream s;
        s.create();
        DevBuf<float> h((size_t)rows * n);
        DevBuf<double> g((size_t)n * n);
        fill_random_kernel<<<1024, 256, 0, s.s>>>(h.p, (size_t)rows * n, 12345u);
        ISPASP_LAUNCHED();
        ISPASP_CK(cudaMemsetAsync(g.p, 0, (size_t)n * n * sizeof(double), s.s));
        *median_ms = median_event_ms(s.s, reps, [&] { launch_gram(h.p, rows, n, nullptr, g.p, s.s); });
        return 0;
    });
}

extern "C" int ispasp_cuda_bench_props(double* fp32_peak_tflops, double* fp64_peak_tflops, double* mem_gbs) {
    return guard<int>([&]() -> int {
        const int dev = current_device();
        int sms = 0, clk_khz = 0, major = 0, minor = 0, memclk = 0, bus = 0;
        ISPASP_CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
        ISPASP_CK(cudaDeviceGetAttribute(&clk_khz, cudaDevAttrClockRate, dev));
        ISPASP_CK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
        ISPASP_CK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev));
        ISPASP_CK(cudaDeviceGetAttribute(&memclk, cudaDevAttrMemoryClockRate, dev));
        ISPASP_CK(cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, dev));
        // FP32 / FP64 lanes per SM: sm_80 and sm_90 have 64 FP32 x2 issue... use the documented throughputs.
        int f32 = 128, f64 = 2;
        if (major == 8 && minor == 0) { f32 = 64; f64 = 32; }
        else if (major == 9 && minor == 0) { f32 = 128; f64 = 64; }
        else if (major >= 10) { f32 = 128; f64 = 64; }
        if (fp32_peak_tflops) *fp32_peak_tflops = 2.0 * f32 * sms * (clk_khz * 1e3) / 1e12;
        if (fp64_peak_tflops) *fp64_peak_tflops = 2.0 * f64 * sms * (clk_khz * 1e3) / 1e12;
        if (mem_gbs) *mem_gbs = 2.0 * (memclk * 1e3) * (bus / 8.0) / 1e9;
        return 0;
    });
}
