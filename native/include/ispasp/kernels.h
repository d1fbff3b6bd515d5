/*
 * ispasp native kernels: one C API, two backends.
 *
 *   ispasp_cpu_*   C++ (always built; compiled into the JNI library by the JavaCPP builder)
 *   ispasp_cuda_*  CUDA (built by cmake + nvcc into libispasp_cuda.so where nvcc exists)
 *
 * Both backends implement exactly the same functions with exactly the same meaning, so Java sees one
 * interface. This header has no CUDA types in it: g++ includes it for the JNI glue.
 *
 * Conventions
 * - Matrices are dense, row-major. "n" is the number of groups of the unit (hidden neurons / channels),
 *   "out" the number of outputs of the layer B that follows the unit, "rows" calibration rows.
 * - Every pointer argument is HOST memory. The CUDA backend copies in and out itself.
 * - Index sets ("supports") are int32 arrays, strictly ascending, without duplicates.
 * - Functions returning int: 0 (or a non-negative count) on success, a negative ISPASP_E* code on failure;
 *   the failing call stores a one-line message readable with *_last_error() in the same thread.
 * - Objects (ispasp_stats, ispasp_unit) are not thread-safe; different objects may be used from different
 *   threads at the same time. A CUDA object lives on the device that was current in the creating thread (it
 *   must have compute capability 8.0 or newer); every call restores the caller's current device.
 * - Argument rules (both backends): unit_run needs 1 <= keep <= n, iterations >= 1 and non-null outputs;
 *   unit_run_groups also needs taps to divide n, 1 <= keep <= n / taps and group_mass;
 *   unit_evaluate needs `residual` (`scores` may be NULL); unit_kept and stats_get need both outputs; top-k
 *   accepts k = 0 (nothing written) and k = n. Gamma must be exactly symmetric (stats_get's always is).
 */
#ifndef ISPASP_KERNELS_H
#define ISPASP_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Scores (must match io.ispasp.api.Score's order). */
#define ISPASP_SCORE_SIGNED_SUM 0
#define ISPASP_SCORE_GROUP_NORM 1
#define ISPASP_SCORE_CORRELATION 2

/* Error codes. */
#define ISPASP_EARG (-1)     /* bad argument (null pointer, size out of range, unsorted support, ...) */
#define ISPASP_ENOMEM (-2)   /* host or device allocation failed */
#define ISPASP_EDEVICE (-3)  /* CUDA runtime error (no device, launch failure, ...) */

typedef struct ispasp_stats ispasp_stats;
typedef struct ispasp_unit ispasp_unit;

/* ------------------------------------------------------------------------------------------------------
 * Semantics shared by both backends (the CPU one is the reference twin of the CUDA one).
 *
 * 1. Statistics accumulator. Streams calibration batches h [rows x n] (fp32) and keeps
 *      mass  a     = sum over rows of h                (float64 sum)
 *      Gamma       = sum over rows of h h^T  (n x n, symmetric)
 *    With fp64 != 0 every call's batch Gram is formed in fp32 and added into a float64 total (calls with
 *    more than 4096 rows are split into 4096-row chunks); with fp64 == 0 the total itself is fp32.
 *    stats_get writes the full symmetric Gamma and a, both as float64.
 *
 * 2. Unit. Built from a, Gamma and B's weight W [out x n] (float64; already multiplied by any eval-BN
 *    scale of B's outputs). The target z of the residual is either
 *      CURRENT target  (cross == zsum == szz == NULL): z = W h, the dense unit's own output;
 *      ORIGINAL target (all given): cross = C = sum h z^T [n x out], zsum = sum z [out],
 *                                   szz = sum z z^T [out x out], zz = sum ||z||^2.
 *    For CURRENT: C = Gamma W^T, zsum = W a, szz = W Gamma W^T, zz = trace(szz) (the zz argument is ignored);
 *    a backend may evaluate these through equivalent forms (e.g. CW = Gamma M, q = colsum(M o CW)).
 *    Set-up (both backends, float64):
 *      M = W^T W,  E = Gamma o M,  CW = C W  [n x n],  dcw = diag(CW),  zw = W^T zsum,
 *      q_i = w_i^T szz w_i   (w_i = column i of W; q = diag(W^T szz W))
 *    Evaluation of a support S (kept groups; D = complement):
 *      residual = ||R||^2 = zz - 2 sum_{j in S} dcw_j + sum_{j,k in S} E_jk
 *      signed-sum    g_i = zw_i - sum_{j in S} M_ij a_j
 *      correlation   g_i = dcw_i - sum_{j in S} E_ij
 *      group-norm    g_i = sqrt(max(0, q_i - 2 sum_{k in S} M_ik CW_ki + sum_{j,k in S} M_ij Gamma_jk M_ik))
 *    (for the CURRENT target these equal g = M (a o d), diag(M D Gamma D M), diag(M D Gamma) with d = 1 - mask(S).)
 *
 * 3. Batched residuals: residual of many supports at once, given as 0/1 masks kept[batch x n].
 *
 * 4. Top-k: the k largest values, ties broken by LOWER index; -0.0 equals 0.0; every NaN ranks below every
 *    number, -inf included (NaNs tie among themselves); the chosen indices are written in ASCENDING index order.
 *    k may be 0..n.
 *
 * 5. The i-SpaSP loop on a unit (no host round trip per iteration on the GPU):
 *      S = {}; (g, r) = evaluate(S)
 *      for t = 1..iterations:
 *          Omega = topk(g, min(2 keep, n))
 *          next  = the keep members of (Omega union S) with the largest mass a (same tie rule), ascending
 *          if early_stop and next == S: trace[t-1] = r; stop (iterations run = t)
 *          S = next; (g, r) = evaluate(S)   (scores only needed when t < iterations)
 *          trace[t-1] = r
 *    Writes the final S (keep entries, ascending) and trace[0 .. run-1]; returns run.
 *
 * 6. Position-shifted sums for a 3x3 conv B (stride 1, padding 1). The signed-sum score of such a unit needs,
 *    per channel, the sum of H over rectangles that drop at most two border rows and columns per side
 *    (docs/design.md, section "Statistics path: 3x3 B"). band_sums adds into bands[channels x 5 x 5] (float64)
 *    the sums of each channel over the 5 x 5 blocks of {row 0, row 1, rows 2..height-3, row height-2,
 *    row height-1} x the same column bands, for h [images x channels x height x width] (fp32, NCHW); every such
 *    rectangle is a sum of these blocks. Needs height >= 4 and width >= 4 (the bands must not overlap); the middle band is empty
 *    for a side of 4.
 *
 * 7. The same loop over groups of `taps` consecutive features (a 3x3 B: a channel's 9 patch features), on a unit
 *    built over all n features (groups = n / taps): Omega is the top min(2 keep, groups) of the GROUP scores, the
 *    threshold takes the keep members of (Omega union S) with the largest group_mass[c], and each evaluation is
 *    of the support's features {c taps, ..., c taps + taps - 1}. Group scores: with q (groups x groups,
 *    row-major) g_c = sum over d not in S of q[c][d] (the 3x3 signed-sum score; the unit's own scores are then
 *    not used); with q == NULL the sum over the group's taps of the unit's feature scores. taps = 1 with
 *    group_mass = the unit's mass and q == NULL is item 5. Writes S (keep groups, ascending) and the trace.
 * ---------------------------------------------------------------------------------------------------- */

/* ---------------- CPU backend ---------------- */
const char* ispasp_cpu_last_error(void);
/* Threads the CPU kernels may use (<= 0: hardware concurrency). Process-wide. */
void ispasp_cpu_set_threads(int threads);
/* Bytes the C heap (malloc, all arenas, mmapped blocks included) has handed out and not yet taken back: what
 * libtorch's CPU tensors and the kernels hold natively. A diagnostic for leak tests; -1 where unknown. */
int64_t ispasp_cpu_heap_in_use(void);
/* Sets environment variable `name` to `value` unless it is set already (the process's C environment, which native
 * libraries read; the JVM's System.getenv keeps its own copy). 0 on success. */
int ispasp_cpu_setenv_default(const char* name, const char* value);

ispasp_stats* ispasp_cpu_stats_new(int n, int fp64);
int ispasp_cpu_stats_add(ispasp_stats* st, const float* h, int64_t rows);
int ispasp_cpu_stats_get(ispasp_stats* st, double* mass, double* gram);
int64_t ispasp_cpu_stats_rows(ispasp_stats* st);
void ispasp_cpu_stats_free(ispasp_stats* st);

ispasp_unit* ispasp_cpu_unit_new(int n, int out, const double* gram, const double* mass, const double* w,
                                 const double* cross, const double* zsum, const double* szz, double zz, int score);
int ispasp_cpu_unit_evaluate(ispasp_unit* u, const int32_t* support, int s, double* scores, double* residual);
int ispasp_cpu_unit_residuals(ispasp_unit* u, const uint8_t* kept, int batch, double* residuals);
int ispasp_cpu_unit_run(ispasp_unit* u, int keep, int iterations, int early_stop, int32_t* support, double* trace);
int ispasp_cpu_unit_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q, int keep,
                             int iterations, int early_stop, int32_t* support, double* trace);
/* For refit: Gamma[S,S] [s x s], C[S,:] [s x out]. */
int ispasp_cpu_unit_kept(ispasp_unit* u, const int32_t* support, int s, double* gram_ss, double* cross_s);
void ispasp_cpu_unit_free(ispasp_unit* u);

int ispasp_cpu_topk_f32(const float* x, int64_t n, int64_t k, int64_t* out);
int ispasp_cpu_topk_f64(const double* x, int64_t n, int64_t k, int64_t* out);

int ispasp_cpu_band_sums(const float* h, int64_t images, int channels, int height, int width, double* bands);

/* ---------------- CUDA backend (libispasp_cuda.so) ---------------- */
const char* ispasp_cuda_last_error(void);
/* Number of usable devices (compute capability >= 8.0), or a negative number on failure: -cudaError_t, which
 * may coincide with an ISPASP_E* value, so read ispasp_cuda_last_error() for what went wrong. */
int ispasp_cuda_device_count(void);
/* "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, driver 13.0)" or similar into buf. */
int ispasp_cuda_device_name(char* buf, int len);

ispasp_stats* ispasp_cuda_stats_new(int n, int fp64);
int ispasp_cuda_stats_add(ispasp_stats* st, const float* h, int64_t rows);
int ispasp_cuda_stats_get(ispasp_stats* st, double* mass, double* gram);
int64_t ispasp_cuda_stats_rows(ispasp_stats* st);
void ispasp_cuda_stats_free(ispasp_stats* st);

ispasp_unit* ispasp_cuda_unit_new(int n, int out, const double* gram, const double* mass, const double* w,
                                  const double* cross, const double* zsum, const double* szz, double zz, int score);
int ispasp_cuda_unit_evaluate(ispasp_unit* u, const int32_t* support, int s, double* scores, double* residual);
int ispasp_cuda_unit_residuals(ispasp_unit* u, const uint8_t* kept, int batch, double* residuals);
int ispasp_cuda_unit_run(ispasp_unit* u, int keep, int iterations, int early_stop, int32_t* support, double* trace);
int ispasp_cuda_unit_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q, int keep,
                             int iterations, int early_stop, int32_t* support, double* trace);
int ispasp_cuda_unit_kept(ispasp_unit* u, const int32_t* support, int s, double* gram_ss, double* cross_s);
void ispasp_cuda_unit_free(ispasp_unit* u);

int ispasp_cuda_topk_f32(const float* x, int64_t n, int64_t k, int64_t* out);
int ispasp_cuda_topk_f64(const double* x, int64_t n, int64_t k, int64_t* out);

int ispasp_cuda_band_sums(const float* h, int64_t images, int channels, int height, int width, double* bands);

#ifdef __cplusplus
}
#endif

#endif /* ISPASP_KERNELS_H */
