// Position-shifted sums for 3x3 units (kernels.h item 6): per channel, the sums of H over the 5 x 5 blocks of
// row bands x column bands {0, 1, 2..size-3, size-2, size-1}.
#include "common.cuh"

namespace ispasp_cuda {

__device__ inline int band_of(int i, int size) { return i < 2 ? i : i >= size - 2 ? 3 + (i - (size - 2)) : 2; }

// One block per (image, channel) map: shared float64 accumulators, then one atomic add per block and band.
__global__ void band_sums_kernel(const float* __restrict__ h, int64_t maps, int channels, int height, int width,
                                 double* __restrict__ bands) {
    __shared__ double acc[25];
    for (int64_t m = blockIdx.x; m < maps; m += gridDim.x) {
        if (threadIdx.x < 25) acc[threadIdx.x] = 0.0;
        __syncthreads();
        const float* map = h + m * (int64_t)height * width;
        const int64_t size = (int64_t)height * width;
        for (int64_t p = threadIdx.x; p < size; p += blockDim.x) {
            const int y = (int)(p / width), x = (int)(p % width);
            atomicAdd(&acc[5 * band_of(y, height) + band_of(x, width)], (double)map[p]);
        }
        __syncthreads();
        if (threadIdx.x < 25) atomicAdd(&bands[(m % channels) * 25 + threadIdx.x], acc[threadIdx.x]);
        __syncthreads();
    }
}

}  // namespace ispasp_cuda

using namespace ispasp_cuda;

extern "C" int ispasp_cuda_band_sums(const float* h, int64_t images, int channels, int height, int width, double* bands) {
    return guard<int>([&]() -> int {
        if (images < 0 || channels < 1 || height < 4 || width < 4 || !bands || (images > 0 && !h))
            throw_arg("band_sums: need channels >= 1, height >= 4, width >= 4 and non-null buffers");
        if (images == 0) return 0;
        const int dev = current_device();
        DeviceGuard dg_(dev);
        Stream st;
        st.create();
        const int64_t maps = images * channels;
        const size_t count = (size_t)maps * height * width;
        DevBuf<float> dh(count);
        DevBuf<double> db((size_t)channels * 25);
        ISPASP_CK(cudaMemcpyAsync(dh.p, h, count * sizeof(float), cudaMemcpyHostToDevice, st.s));
        ISPASP_CK(cudaMemcpyAsync(db.p, bands, (size_t)channels * 25 * sizeof(double), cudaMemcpyHostToDevice, st.s));
        const unsigned grid = (unsigned)(maps < 65535 * 16 ? maps : 65535 * 16);
        band_sums_kernel<<<grid, 256, 0, st.s>>>(dh.p, maps, channels, height, width, db.p);
        ISPASP_LAUNCHED();
        ISPASP_CK(cudaMemcpyAsync(bands, db.p, (size_t)channels * 25 * sizeof(double), cudaMemcpyDeviceToHost, st.s));
        ISPASP_CK(cudaStreamSynchronize(st.s));
        return 0;
    });
}
