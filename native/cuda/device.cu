// Errors, device discovery and naming.
#include <cstdio>
#include <string>

#include "common.cuh"

namespace ispasp_cuda {

static thread_local std::string g_last_error;

void set_error(const std::string& m) { g_last_error = m; }

void throw_cuda(cudaError_t e, const char* what) {
    std::string msg = std::string(what) + ": " + cudaGetErrorString(e) + " (" + std::to_string((int)e) + ")";
    (void)cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    throw Error{e == cudaErrorMemoryAllocation ? ISPASP_ENOMEM : ISPASP_EDEVICE, msg};
}

int current_device() {
    int dev = 0;
    ISPASP_CK(cudaGetDevice(&dev));
    int major = 0;
    ISPASP_CK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
    if (major < 8)
        throw Error{ISPASP_EDEVICE, "device " + std::to_string(dev) + " has compute capability " +
                                        std::to_string(major) + ".x; 8.0 or newer is required"};
    return dev;
}

}  // namespace ispasp_cuda

using namespace ispasp_cuda;

extern "C" const char* ispasp_cuda_last_error(void) { return g_last_error.c_str(); }

extern "C" int ispasp_cuda_device_count(void) {
    try {
        int count = 0;
        cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess) {
            set_error(std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e) + " (" + std::to_string((int)e) +
                      ")");
            (void)cudaGetLastError();
            return -(int)e;
        }
        int usable = 0;
        for (int d = 0; d < count; ++d) {
            int major = 0;
            e = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, d);
            if (e != cudaSuccess) {
                set_error(std::string("cudaDeviceGetAttribute: ") + cudaGetErrorString(e) + " (" +
                          std::to_string((int)e) + ")");
                (void)cudaGetLastError();
                return -(int)e;
            }
            if (major >= 8) ++usable;
        }
        if (usable == 0) set_error(count == 0 ? "no CUDA device" : "no CUDA device with compute capability >= 8.0");
        return usable;
    } catch (...) {
        set_error("unexpected error in device_count");
        return ISPASP_EDEVICE;
    }
}

extern "C" int ispasp_cuda_device_name(char* buf, int len) {
    return guard<int>([&]() -> int {
        if (!buf || len <= 0) throw_arg("device_name: null buffer or len <= 0");
        int dev = 0;
        ISPASP_CK(cudaGetDevice(&dev));
        cudaDeviceProp p;
        ISPASP_CK(cudaGetDeviceProperties(&p, dev));
        int drv = 0;
        ISPASP_CK(cudaDriverGetVersion(&drv));
        std::snprintf(buf, (size_t)len, "%s (sm_%d%d, %d SMs, driver %d.%d)", p.name, p.major, p.minor,
                      p.multiProcessorCount, drv / 1000, (drv % 1000) / 10);
        return 0;
    });
}
