/* Internal benchmark hooks of libispasp_cuda.so (NOT part of the public API in ispasp/kernels.h).
 * They time device work only (cudaEvent, after warm-up) so gpu_check does not need its own CUDA runtime.
 * All return 0 or a negative ISPASP_E* code (message in ispasp_cuda_last_error()). */
#ifndef ISPASP_CUDA_BENCH_H
#define ISPASP_CUDA_BENCH_H

#include <stdint.h>

#include "ispasp/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Median over reps of the fp32 batch Gram kernel (rows x n random input, fp64 total), in ms. */
int ispasp_cuda_bench_gram(int n, int rows, int reps, double* median_ms);
/* Theoretical peaks of the current device from its properties. */
int ispasp_cuda_bench_props(double* fp32_peak_tflops, double* fp64_peak_tflops, double* mem_gbs);
/* Median device time of top-k over n random values (f64 != 0: double), in ms (input already on the device). */
int ispasp_cuda_bench_topk(int64_t n, int64_t k, int f64, int reps, double* median_ms);
/* Median device time of the whole i-SpaSP loop (between the support upload and the copy back), in ms. */
int ispasp_cuda_bench_run(ispasp_unit* u, int keep, int iterations, int early_stop, int reps, double* median_ms);
/* Median device time of the whole loop over groups (kernels.h item 7, after the group upload), in ms. */
int ispasp_cuda_bench_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q, int keep,
                                 int iterations, int early_stop, int reps, double* median_ms);
/* Median device time of one evaluate (scores + residual) of the given support, in ms. */
int ispasp_cuda_bench_evaluate(ispasp_unit* u, const int32_t* support, int s, int reps, double* median_ms);

#ifdef __cplusplus
}
#endif

#endif
