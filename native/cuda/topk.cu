// Top-k of large f32/f64 arrays: radix select (8 bits a pass, MSB first) on order-preserving keys with the
// running state on the device (no host round trip between passes), then an index-ordered compaction of the
// elements above the threshold plus the first (k - count_above) elements equal to it.
#include <algorithm>
#include <vector>

#include "common.cuh"

using namespace ispasp_cuda;

namespace {

constexpr int TK_THREADS = 256;
constexpr int TK_ITEMS = 16;
constexpr int TK_TILE = TK_THREADS * TK_ITEMS;

struct TopkState {
    unsigned long long prefix, mask, krem;
    int stop;
};

template <typename T> struct KeyT;
template <> struct KeyT<float> { using type = uint32_t; };
template <> struct KeyT<double> { using type = unsigned long long; };

template <typename T>
__device__ __forceinline__ unsigned long long key_of(T v) {
    return (unsigned long long)ord_key(v);
}

template <typename T>
__global__ void __launch_bounds__(TK_THREADS) hist_kernel(const T* __restrict__ x, int64_t n, int shift,
                                                          const TopkState* __restrict__ st,
                                                          unsigned long long* __restrict__ ghist) {
    if (st->stop) return;
    __shared__ unsigned sh[256];
    for (int b = threadIdx.x; b < 256; b += blockDim.x) sh[b] = 0u;
    __syncthreads();
    const unsigned long long P = st->prefix, Mk = st->mask;
    const int lane = threadIdx.x & 31;
    for (int64_t i0 = (int64_t)blockIdx.x * blockDim.x; i0 < n; i0 += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i = i0 + threadIdx.x;  // i0 is block-uniform: every warp runs the same trip count
        unsigned bin = 256u;
        if (i < n) {
            const unsigned long long key = key_of(x[i]);
            if ((key & Mk) == P) bin = (unsigned)((key >> shift) & 255ull);
        }
        const unsigned peers = __match_any_sync(0xffffffffu, bin);  // aggregate equal bins (skewed data)
        if (bin < 256u && lane == __ffs(peers) - 1) atomicAdd(&sh[bin], (unsigned)__popc(peers));
    }
    __syncthreads();
    for (int b = threadIdx.x; b < 256; b += blockDim.x)
        if (sh[b]) atomicAdd(&ghist[b], (unsigned long long)sh[b]);
}

// One warp: choose the digit where the descending cumulative count reaches krem; zero the histogram.
__global__ void pick_kernel(unsigned long long* __restrict__ ghist, int shift, TopkState* __restrict__ st) {
    if (st->stop) return;
    const int lane = threadIdx.x;
    const unsigned long long krem = st->krem, P = st->prefix, Mk = st->mask;
    unsigned long long loc[8], s = 0;
#pragma unroll
    for (int q = 0; q < 8; ++q) {
        const int d = 255 - (lane * 8 + q);
        loc[q] = ghist[d];
        ghist[d] = 0ull;  // each lane owns its 8 bins
        s += loc[q];
    }
    unsigned long long inc = s;
#pragma unroll
    for (int off = 1; off < 32; off <<= 1) {
        const unsigned long long o = __shfl_up_sync(0xffffffffu, inc, off);
        if (lane >= off) inc += o;
    }
    const unsigned long long exc = inc - s;
    __syncwarp();  // every lane has read *st before one of them rewrites it
    if (exc < krem && krem <= inc) {
        unsigned long long cum = exc;
        for (int q = 0; q < 8; ++q) {
            if (cum + loc[q] >= krem) {
                const int d = 255 - (lane * 8 + q);
                st->prefix = P | ((unsigned long long)d << shift);
                st->mask = Mk | (0xFFull << shift);
                st->krem = krem - cum;
                st->stop = loc[q] == krem - cum;
                break;
            }
            cum += loc[q];
        }
    }
}

// Per tile of TK_TILE elements: number above the threshold and number equal to it.
template <typename T>
__global__ void __launch_bounds__(TK_THREADS) count_kernel(const T* __restrict__ x, int64_t n,
                                                           const TopkState* __restrict__ st,
                                                           unsigned* __restrict__ blk_gt, unsigned* __restrict__ blk_eq) {
    __shared__ unsigned sh[33];
    const unsigned long long P = st->prefix, Mk = st->mask;
    const int64_t base = (int64_t)blockIdx.x * TK_TILE;
    unsigned gt = 0, eq = 0;
    for (int q = 0; q < TK_ITEMS; ++q) {  // strided here (order does not matter), coalesced
        const int64_t i = base + q * TK_THREADS + threadIdx.x;
        if (i < n) {
            const unsigned long long km = key_of(x[i]) & Mk;
            gt += km > P;
            eq += km == P;
        }
    }
    const unsigned g = block_sum<unsigned>(gt, sh);
    const unsigned e = block_sum<unsigned>(eq, sh);
    if (threadIdx.x == 0) {
        blk_gt[blockIdx.x] = g;
        blk_eq[blockIdx.x] = e;
    }
}

// Exclusive prefix sums of the per-tile counts (one block).
__global__ void scan_kernel(const unsigned* __restrict__ blk_gt, const unsigned* __restrict__ blk_eq, int64_t nb,
                            unsigned long long* __restrict__ pre_gt, unsigned long long* __restrict__ pre_eq) {
    __shared__ unsigned long long sh[33];
    unsigned long long bg = 0, be = 0;
    for (int64_t c0 = 0; c0 < nb; c0 += blockDim.x) {
        const int64_t b = c0 + threadIdx.x;
        const unsigned long long vg = b < nb ? blk_gt[b] : 0ull, ve = b < nb ? blk_eq[b] : 0ull;
        unsigned long long tg, te;
        const unsigned long long eg = block_exclusive_scan<unsigned long long>(vg, sh, &tg);
        const unsigned long long ee = block_exclusive_scan<unsigned long long>(ve, sh, &te);
        if (b < nb) {
            pre_gt[b] = bg + eg;
            pre_eq[b] = be + ee;
        }
        bg += tg;
        be += te;
    }
}

// Writes the chosen indices of each tile in ascending order: thread t owns the blocked range t*ITEMS..+ITEMS.
template <typename T>
__global__ void __launch_bounds__(TK_THREADS) write_kernel(const T* __restrict__ x, int64_t n,
                                                           const TopkState* __restrict__ st,
                                                           const unsigned long long* __restrict__ pre_gt,
                                                           const unsigned long long* __restrict__ pre_eq,
                                                           int64_t* __restrict__ out) {
    __shared__ unsigned sh[33];
    const unsigned long long P = st->prefix, Mk = st->mask, krem = st->krem;
    const unsigned long long peq = pre_eq[blockIdx.x];
    const int64_t base = (int64_t)blockIdx.x * TK_TILE + (int64_t)threadIdx.x * TK_ITEMS;
    unsigned gtm = 0, eqm = 0;  // bit q: item q above / equal
    for (int q = 0; q < TK_ITEMS; ++q) {
        const int64_t i = base + q;
        if (i < n) {
            const unsigned long long km = key_of(x[i]) & Mk;
            if (km > P) gtm |= 1u << q;
            if (km == P) eqm |= 1u << q;
        }
    }
    unsigned tot;
    const unsigned eq_before = block_exclusive_scan<unsigned>((unsigned)__popc(eqm), sh, &tot);
    unsigned selm = gtm;
    unsigned long long r = peq + eq_before;
    for (int q = 0; q < TK_ITEMS; ++q)
        if (eqm & (1u << q)) {
            if (r < krem) selm |= 1u << q;
            ++r;
        }
    const unsigned pos = block_exclusive_scan<unsigned>((unsigned)__popc(selm), sh, &tot);
    const unsigned long long obase = pre_gt[blockIdx.x] + (peq < krem ? peq : krem) + pos;
    unsigned w = 0;
    for (int q = 0; q < TK_ITEMS; ++q)
        if (selm & (1u << q)) out[obase + w++] = base + q;
}

__global__ void fill_random_kernel(float* xf, double* xd, int64_t count, uint32_t seed) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        const uint32_t h = bench_hash((uint64_t)i, seed);
        const float v = (float)(h >> 8) * (1.0f / 16777216.0f);
        if (xf) xf[i] = v;
        if (xd) xd[i] = (double)v + (double)(h & 255u) * 1e-12;
    }
}

struct TopkScratch {
    DevBuf<unsigned long long> hist;
    DevBuf<TopkState> state;
    DevBuf<unsigned> blk_gt, blk_eq;
    DevBuf<unsigned long long> pre_gt, pre_eq;
    int64_t nb = 0;
    void alloc(int64_t n) {
        nb = (n + TK_TILE - 1) / TK_TILE;
        hist.alloc(256);
        state.alloc(1);
        blk_gt.alloc((size_t)nb);
        blk_eq.alloc((size_t)nb);
        pre_gt.alloc((size_t)nb);
        pre_eq.alloc((size_t)nb);
    }
};

// Enqueues top-k of dx[0..n) into dout[0..k) (0 < k < n).
template <typename T>
void topk_enqueue(const T* dx, int64_t n, int64_t k, int64_t* dout, TopkScratch& s, cudaStream_t st) {
    const TopkState init{0ull, 0ull, (unsigned long long)k, 0};
    ISPASP_CK(cudaMemcpyAsync(s.state.p, &init, sizeof(init), cudaMemcpyHostToDevice, st));
    ISPASP_CK(cudaMemsetAsync(s.hist.p, 0, 256 * sizeof(unsigned long long), st));
    int sms = 0, dev = 0;
    ISPASP_CK(cudaGetDevice(&dev));
    ISPASP_CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    const unsigned hb = blocks_for(n, TK_THREADS * 8, (unsigned)std::max(1, sms * 8));
    for (int shift = (int)sizeof(T) * 8 - 8; shift >= 0; shift -= 8) {
        hist_kernel<T><<<hb, TK_THREADS, 0, st>>>(dx, n, shift, s.state.p, s.hist.p);
        ISPASP_LAUNCHED();
        pick_kernel<<<1, 32, 0, st>>>(s.hist.p, shift, s.state.p);
        ISPASP_LAUNCHED();
    }
    count_kernel<T><<<(unsigned)s.nb, TK_THREADS, 0, st>>>(dx, n, s.state.p, s.blk_gt.p, s.blk_eq.p);
    ISPASP_LAUNCHED();
    scan_kernel<<<1, 1024, 0, st>>>(s.blk_gt.p, s.blk_eq.p, s.nb, s.pre_gt.p, s.pre_eq.p);
    ISPASP_LAUNCHED();
    write_kernel<T><<<(unsigned)s.nb, TK_THREADS, 0, st>>>(dx, n, s.state.p, s.pre_gt.p, s.pre_eq.p, dout);
    ISPASP_LAUNCHED();
}

template <typename T>
int topk_host(const T* x, int64_t n, int64_t k, int64_t* out) {
    if (n < 0 || k < 0 || k > n || (n > 0 && !x) || (k > 0 && !out))
        throw_arg("topk: need 0 <= k <= n and non-null buffers (n=" + std::to_string(n) + ", k=" + std::to_string(k) + ")");
    if (k == 0) return 0;
    if ((n + TK_TILE - 1) / TK_TILE > 0x7fffffffLL) throw_arg("topk: n too large");
    if (k == n) {
        for (int64_t i = 0; i < n; ++i) out[i] = i;
        return 0;
    }
    const int dev = current_device();
    DeviceGuard dg_(dev);
    Stream st;
    st.create();
    DevBuf<T> dx((size_t)n);
    DevBuf<int64_t> dout((size_t)k);
    TopkScratch s;
    s.alloc(n);
    ISPASP_CK(cudaMemcpyAsync(dx.p, x, (size_t)n * sizeof(T), cudaMemcpyHostToDevice, st.s));
    topk_enqueue<T>(dx.p, n, k, dout.p, s, st.s);
    ISPASP_CK(cudaMemcpyAsync(out, dout.p, (size_t)k * sizeof(int64_t), cudaMemcpyDeviceToHost, st.s));
    ISPASP_CK(cudaStreamSynchronize(st.s));
    return 0;
}

}  // namespace

extern "C" int ispasp_cuda_topk_f32(const float* x, int64_t n, int64_t k, int64_t* out) {
    return guard<int>([&]() -> int { return topk_host<float>(x, n, k, out); });
}

extern "C" int ispasp_cuda_topk_f64(const double* x, int64_t n, int64_t k, int64_t* out) {
    return guard<int>([&]() -> int { return topk_host<double>(x, n, k, out); });
}

extern "C" int ispasp_cuda_bench_topk(int64_t n, int64_t k, int f64, int reps, double* median_ms) {
    return guard<int>([&]() -> int {
        if (n <= 1 || k <= 0 || k >= n || reps <= 0 || !median_ms) throw_arg("bench_topk: need 0 < k < n, reps > 0");
        const int dev = current_device();
        DeviceGuard dg_(dev);
        Stream st;
        st.create();
        DevBuf<float> xf;
        DevBuf<double> xd;
        if (f64) xd.alloc((size_t)n); else xf.alloc((size_t)n);
        DevBuf<int64_t> dout((size_t)k);
        TopkScratch s;
        s.alloc(n);
        fill_random_kernel<<<1024, 256, 0, st.s>>>(xf.p, xd.p, n, 777u);
        ISPASP_LAUNCHED();
        auto enq = [&] {
            if (f64) topk_enqueue<double>(xd.p, n, k, dout.p, s, st.s);
            else topk_enqueue<float>(xf.p, n, k, dout.p, s, st.s);
        };
        *median_ms = median_event_ms(st.s, reps, enq);
        return 0;
    });
}
