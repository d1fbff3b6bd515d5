// Single-block exact selection with the tie rule of kernels.h (larger key first, ties -> lower index),
// used by the device-side i-SpaSP loop. Radix select on 64-bit order-preserving keys (8 bits a pass, stops as
// soon as the threshold bucket is taken whole), then an index-ordered block scan for the tied elements.
#pragma once
#include "common.cuh"

namespace ispasp_cuda {

struct SelShared {
    unsigned hist[256];
    unsigned long long prefix, mask;
    unsigned krem;
    int stop;
    int scan[33];
};

// Sets `bit` in flag[i] for the K valid elements (kf(i, key) returns true) with the largest keys, ties by
// lower index. Requires 0 <= K <= number of valid elements. Call from all threads of the block (any
// blockDim.x multiple of 32). Each flag[i] is written only by thread i % blockDim.x. Ends with a barrier.
template <typename KeyFn>
__device__ void block_select(int n, int K, KeyFn kf, uint8_t* flag, uint8_t bit, SelShared& sm) {
    const int tid = threadIdx.x, nt = blockDim.x;
    if (K <= 0) return;  // uniform
    if (tid == 0) {
        sm.prefix = 0ull;
        sm.mask = 0ull;
        sm.krem = (unsigned)K;
        sm.stop = 0;
    }
    __syncthreads();
    for (int shift = 56; shift >= 0; shift -= 8) {
        for (int b = tid; b < 256; b += nt) sm.hist[b] = 0u;
        __syncthreads();
        const unsigned long long P = sm.prefix, Mk = sm.mask;
        for (int c0 = 0; c0 < n; c0 += nt) {  // uniform trip count: whole warps reach __match_any_sync
            const int i = c0 + tid;
            unsigned bin = 256u;
            unsigned long long key;
            if (i < n && kf(i, key) && (key & Mk) == P) bin = (unsigned)((key >> shift) & 255ull);
            const unsigned peers = __match_any_sync(0xffffffffu, bin);  // one shared atomic per distinct bin
            if (bin < 256u && (tid & 31) == __ffs(peers) - 1) atomicAdd(&sm.hist[bin], (unsigned)__popc(peers));
        }
        __syncthreads();
        if (tid < 32) {  // warp 0: find the digit (from the top) where the count crosses krem
            const unsigned krem = sm.krem;
            unsigned loc[8], s = 0;
#pragma unroll
            for (int q = 0; q < 8; ++q) {
                loc[q] = sm.hist[255 - (tid * 8 + q)];
                s += loc[q];
            }
            __syncwarp();
            unsigned inc = s;
#pragma unroll
            for (int off = 1; off < 32; off <<= 1) {
                unsigned o = __shfl_up_sync(0xffffffffu, inc, off);
                if (tid >= off) inc += o;
            }
            const unsigned exc = inc - s;
            if (exc < krem && krem <= inc) {  // exactly one lane
                unsigned cum = exc;
                for (int q = 0; q < 8; ++q) {
                    if (cum + loc[q] >= krem) {
                        const int d = 255 - (tid * 8 + q);
                        sm.prefix = P | ((unsigned long long)d << shift);
                        sm.mask = Mk | (0xFFull << shift);
                        sm.krem = krem - cum;
                        sm.stop = (loc[q] == krem - cum);
                        break;
                    }
                    cum += loc[q];
                }
            }
        }
        __syncthreads();
        if (sm.stop) break;  // uniform
    }
    const unsigned long long P = sm.prefix, Mk = sm.mask;
    const int krem = (int)sm.krem;
    __syncthreads();  // everybody has read the state before sm is reused
    int base = 0;     // tied elements seen in earlier chunks (uniform)
    for (int c0 = 0; c0 < n; c0 += nt) {
        const int i = c0 + tid;
        unsigned long long key = 0ull;
        const bool v = i < n && kf(i, key);
        const bool gt = v && (key & Mk) > P;
        const bool eq = v && (key & Mk) == P;
        int tot;
        const int rank = block_exclusive_scan<int>(eq ? 1 : 0, sm.scan, &tot);
        if (gt || (eq && base + rank < krem)) flag[i] |= bit;
        base += tot;
    }
    __syncthreads();
}

// Writes the indices i with (flag[i] & bit) in ascending order to out; returns their count (all threads).
__device__ inline int block_compact(int n, const uint8_t* flag, uint8_t bit, int32_t* out, int* scan33) {
    int base = 0;
    for (int c0 = 0; c0 < n; c0 += blockDim.x) {
        const int i = c0 + threadIdx.x;
        const bool f = i < n && (flag[i] & bit);
        int tot;
        const int pos = block_exclusive_scan<int>(f ? 1 : 0, scan33, &tot);
        if (f) out[base + pos] = i;
        base += tot;
    }
    __syncthreads();
    return base;
}

}  // namespace ispasp_cuda
