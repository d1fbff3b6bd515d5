// CPU emulation of the few CUDA runtime / device features the backend uses, for logic and race testing on
// machines without a GPU (see run.sh). Blocks run one after another; the threads of a block are std::threads;
// __syncthreads and warp shuffles / matches are std::barrier based. NOT a CUDA implementation: timing,
// memory model details and warp-synchronous behaviour beyond the explicit *_sync intrinsics are not modelled.
// Minimal CUDA-on-CPU emulation for logic testing (blocks sequential, threads of a block as std::threads).
#pragma once
#include <atomic>
#include <barrier>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <algorithm>

#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(x) __attribute__((aligned(x)))

struct dim3 { unsigned x = 1, y = 1, z = 1; dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {} };
struct uint3 { unsigned x, y, z; };
struct float4 { float x, y, z, w; };
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }

typedef int cudaError_t;
enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2, cudaErrorInvalidValue = 1 };
typedef void* cudaStream_t;
typedef void* cudaEvent_t;
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };
enum { cudaStreamNonBlocking = 1 };
enum cudaDeviceAttr { cudaDevAttrComputeCapabilityMajor, cudaDevAttrComputeCapabilityMinor, cudaDevAttrMultiProcessorCount,
                      cudaDevAttrClockRate, cudaDevAttrMemoryClockRate, cudaDevAttrGlobalMemoryBusWidth };
struct cudaDeviceProp { char name[256]; int major, minor, multiProcessorCount; };

namespace emu {
extern thread_local dim3 threadIdx_, blockIdx_;
extern dim3 gridDim_, blockDim_;
extern std::barrier<>* block_bar;
struct Warp { std::barrier<>* bar; unsigned long long slot[32]; };
extern Warp* warps;
void launch(dim3 g, dim3 b, const std::function<void()>& body);
}
#define threadIdx emu::threadIdx_
#define blockIdx emu::blockIdx_
#define gridDim emu::gridDim_
#define blockDim emu::blockDim_

inline int emu_tid() { return threadIdx.x + threadIdx.y * blockDim.x; }
inline void __syncthreads() { emu::block_bar->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::warps[emu_tid() / 32].bar->arrive_and_wait(); }
template <typename T> T __shfl_up_sync(unsigned, T v, int off) {
    const int t = emu_tid(), lane = t & 31; emu::Warp& w = emu::warps[t / 32];
    unsigned long long bits = 0; std::memcpy(&bits, &v, sizeof(T));
    w.slot[lane] = bits; w.bar->arrive_and_wait();
    unsigned long long o = w.slot[lane >= off ? lane - off : lane]; w.bar->arrive_and_wait();
    T r; std::memcpy(&r, &o, sizeof(T)); return r;
}
inline unsigned __match_any_sync(unsigned, unsigned v) {
    const int t = emu_tid(), lane = t & 31; emu::Warp& w = emu::warps[t / 32];
    w.slot[lane] = v; w.bar->arrive_and_wait();
    unsigned m = 0; for (int l = 0; l < 32; ++l) if (w.slot[l] == v) m |= 1u << l;
    w.bar->arrive_and_wait(); return m;
}
inline int __popc(unsigned v) { return __builtin_popcount(v); }
inline int __ffs(unsigned v) { return __builtin_ffs(v); }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline long long __double_as_longlong(double d) { long long u; std::memcpy(&u, &d, 8); return u; }
template <typename T> T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline double atomicAdd(double* p, double v) { static std::mutex m; std::lock_guard<std::mutex> g(m); double o = *p; *p += v; return o; }
using std::min; using std::max; using std::fma; using std::fmax; using std::sqrt;
inline float fmaf(float a, float b, float c) { return std::fma(a, b, c); }

// runtime API
inline const char* cudaGetErrorString(cudaError_t) { return "emulated error"; }
inline cudaError_t cudaGetLastError() { return 0; }
inline cudaError_t cudaPeekAtLastError() { return 0; }
inline cudaError_t cudaGetDeviceCount(int* c) { *c = 1; return 0; }
inline cudaError_t cudaGetDevice(int* d) { *d = 0; return 0; }
inline cudaError_t cudaSetDevice(int) { return 0; }
inline cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int) {
    switch (a) { case cudaDevAttrComputeCapabilityMajor: *v = 9; break; case cudaDevAttrComputeCapabilityMinor: *v = 0; break;
    case cudaDevAttrMultiProcessorCount: *v = 2; break; default: *v = 1000; } return 0; }
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int) { std::strcpy(p->name, "EMU"); p->major = 9; p->minor = 0; p->multiProcessorCount = 2; return 0; }
inline cudaError_t cudaDriverGetVersion(int* v) { *v = 13000; return 0; }
inline cudaError_t cudaMalloc(void** p, size_t n) { *p = std::malloc(n ? n : 1); std::memset(*p, 0xCD, n); return *p ? 0 : 2; }
inline cudaError_t cudaFree(void* p) { std::free(p); return 0; }
inline cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind) { std::memcpy(d, s, n); return 0; }
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, size_t n, cudaMemcpyKind, cudaStream_t = 0) { std::memcpy(d, s, n); return 0; }
inline cudaError_t cudaMemsetAsync(void* d, int v, size_t n, cudaStream_t = 0) { std::memset(d, v, n); return 0; }
inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) { *s = (void*)1; return 0; }
inline cudaError_t cudaStreamDestroy(cudaStream_t) { return 0; }
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return 0; }
inline cudaError_t cudaEventCreate(cudaEvent_t* e) { *e = (void*)1; return 0; }
inline cudaError_t cudaEventDestroy(cudaEvent_t) { return 0; }
inline cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t = 0) { return 0; }
inline cudaError_t cudaEventSynchronize(cudaEvent_t) { return 0; }
inline cudaError_t cudaEventElapsedTime(float* t, cudaEvent_t, cudaEvent_t) { *t = 1; return 0; }
namespace emu { extern std::atomic<int> sync_or_acc; }
inline int __syncthreads_or(int p) {
    __syncthreads();
    if (p) emu::sync_or_acc.fetch_or(1);
    __syncthreads();
    int r = emu::sync_or_acc.load();
    __syncthreads();
    if (emu_tid() == 0) emu::sync_or_acc.store(0);
    __syncthreads();
    return r;
}
