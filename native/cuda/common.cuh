// Shared helpers of the CUDA backend: errors (thread-local last_error), RAII device buffers and streams,
// order-preserving keys for the tie rule, block-wide scans.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

// The library is compiled with hidden visibility; the C API (and the internal bench hooks) are exported.
#pragma GCC visibility push(default)
#include "ispasp/kernels.h"
#include "bench.h"
#pragma GCC visibility pop

namespace ispasp_cuda {

// ------------------------------------------------------------------ errors
struct Error {
    int code;
    std::string msg;
};

void set_error(const std::string& m);

[[noreturn]] void throw_cuda(cudaError_t e, const char* what);

[[noreturn]] inline void throw_arg(const std::string& m) { throw Error{ISPASP_EARG, m}; }

#define ISPASP_CK(call)                                                     \
    do {                                                                    \
        cudaError_t e_ = (call);                                            \
        if (e_ != cudaSuccess) ::ispasp_cuda::throw_cuda(e_, #call);        \
    } while (0)

// After a kernel launch: configuration / launch errors (asynchronous faults surface at the next sync).
#define ISPASP_LAUNCHED() ISPASP_CK(cudaGetLastError())

// Runs f() and maps exceptions to an error code + last_error. f returns int (or int64_t).
template <typename R, typename F>
R guard(F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        set_error(e.msg);
        return (R)e.code;
    } catch (const std::bad_alloc&) {
        set_error("host allocation failed");
        return (R)ISPASP_ENOMEM;
    } catch (const std::exception& e) {
        set_error(std::string("unexpected error: ") + e.what());
        return (R)ISPASP_EDEVICE;
    } catch (...) {
        set_error("unexpected error");
        return (R)ISPASP_EDEVICE;
    }
}

// Picks the current device, checks compute capability >= 8.0, returns its id.
int current_device();

// ------------------------------------------------------------------ RAII
// Makes `dev` current for the scope and restores the caller's device afterwards (the library must not change
// the current device of a thread that other CUDA code in the process also uses). quiet: never throws.
struct DeviceGuard {
    int prev = -1;
    bool changed = false;
    explicit DeviceGuard(int dev, bool quiet = false) {
        cudaError_t e = cudaGetDevice(&prev);
        if (e == cudaSuccess && prev != dev) {
            e = cudaSetDevice(dev);
            changed = e == cudaSuccess;
        }
        if (e != cudaSuccess) {
            if (!quiet) throw_cuda(e, "cudaSetDevice");
            (void)cudaGetLastError();
        }
    }
    DeviceGuard(const DeviceGuard&) = delete;
    DeviceGuard& operator=(const DeviceGuard&) = delete;
    ~DeviceGuard() {
        if (changed) cudaSetDevice(prev);
    }
};

template <typename T>
struct DevBuf {
    T* p = nullptr;
    size_t n = 0;
    DevBuf() = default;
    explicit DevBuf(size_t count) { alloc(count); }
    DevBuf(const DevBuf&) = delete;
    DevBuf& operator=(const DevBuf&) = delete;
    ~DevBuf() { release(); }
    void release() {
        if (p) cudaFree(p);
        p = nullptr;
        n = 0;
    }
    void alloc(size_t count) {
        release();
        if (count == 0) return;
        void* q = nullptr;
        ISPASP_CK(cudaMalloc(&q, count * sizeof(T)));
        p = static_cast<T*>(q);
        n = count;
    }
    T* get() const { return p; }
};

struct Stream {
    cudaStream_t s = nullptr;
    Stream() = default;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    void create() { ISPASP_CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)); }
    ~Stream() {
        if (s) cudaStreamDestroy(s);
    }
};

struct Event {
    cudaEvent_t e = nullptr;
    Event() { ISPASP_CK(cudaEventCreate(&e)); }
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    ~Event() {
        if (e) cudaEventDestroy(e);
    }
};

// A cheap integer hash of (i, seed): the bench hooks fill their inputs with it on the device.
__host__ __device__ inline uint32_t bench_hash(uint64_t i, uint32_t seed) {
    uint32_t h = (uint32_t)i * 2654435761u ^ seed;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

// Median device time in ms of `reps` runs of enqueue() on stream st, after two warm-up runs (bench hooks).
template <typename F>
inline double median_event_ms(cudaStream_t st, int reps, F&& enqueue) {
    enqueue();
    enqueue();
    ISPASP_CK(cudaStreamSynchronize(st));
    Event a, b;
    std::vector<float> ms;
    for (int i = 0; i < reps; ++i) {
        ISPASP_CK(cudaEventRecord(a.e, st));
        enqueue();
        ISPASP_CK(cudaEventRecord(b.e, st));
        ISPASP_CK(cudaEventSynchronize(b.e));
        float t = 0;
        ISPASP_CK(cudaEventElapsedTime(&t, a.e, b.e));
        ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

inline unsigned blocks_for(int64_t work, int per_block, unsigned cap = 65535u * 16u) {
    int64_t b = (work + per_block - 1) / per_block;
    if (b < 1) b = 1;
    if (b > (int64_t)cap) b = cap;
    return (unsigned)b;
}

// ------------------------------------------------------------------ order-preserving keys
// Larger value -> larger key. NaN (any sign) -> 0, below every number (-inf maps to 0x000FF.. > 0).
// -0.0 is canonicalised to +0.0 so that it ties with +0.0 (IEEE equality), and ties go to the lower index.
__host__ __device__ inline uint32_t ord_key(float v) {
    if (v != v) return 0u;
    if (v == 0.0f) v = 0.0f;
    uint32_t b;
#ifdef __CUDA_ARCH__
    b = __float_as_uint(v);
#else
    std::memcpy(&b, &v, 4);
#endif
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__host__ __device__ inline uint64_t ord_key(double v) {
    if (v != v) return 0ull;
    if (v == 0.0) v = 0.0;
    uint64_t b;
#ifdef __CUDA_ARCH__
    b = (uint64_t)__double_as_longlong(v);
#else
    std::memcpy(&b, &v, 8);
#endif
    return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}

// ------------------------------------------------------------------ block scans
// Exclusive prefix sum over the block (blockDim.x a multiple of 32, at most 1024). `sh` must point to
// 33 entries of shared memory. Returns the thread's exclusive prefix; *total receives the block total.
// Contains __syncthreads() (also at the end, so `sh` may be reused at once): call from all threads.
template <typename T>
__device__ inline T block_exclusive_scan(T v, T* sh, T* total) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    T inc = v;
#pragma unroll
    for (int off = 1; off < 32; off <<= 1) {
        T o = __shfl_up_sync(0xffffffffu, inc, off);
        if (lane >= off) inc += o;
    }
    if (lane == 31) sh[warp] = inc;
    __syncthreads();
    if (warp == 0) {
        T w = lane < nwarps ? sh[lane] : T(0);
        T winc = w;
#pragma unroll
        for (int off = 1; off < 32; off <<= 1) {
            T o = __shfl_up_sync(0xffffffffu, winc, off);
            if (lane >= off) winc += o;
        }
        __syncwarp();
        sh[lane] = winc - w;
        if (lane == 31) sh[32] = winc;
    }
    __syncthreads();
    const T res = sh[warp] + inc - v;
    *total = sh[32];
    __syncthreads();
    return res;
}

// Block-wide sum (any blockDim.x multiple of 32, <= 1024); result valid in all threads. `sh`: 33 entries.
template <typename T>
__device__ inline T block_sum(T v, T* sh) {
    T tot;
    block_exclusive_scan<T>(v, sh, &tot);
    return tot;
}

}  // namespace ispasp_cuda
