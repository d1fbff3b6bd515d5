// Unit: float64 set-up on the device, evaluation of supports, batched residuals, kept statistics, and the
// i-SpaSP loop run entirely on the device (early stop through a device-side flag, one copy back at the end).
#include <algorithm>
#include <memory>
#include <vector>

#include "common.cuh"
#include "gemm64.cuh"
#include "select.cuh"

using namespace ispasp_cuda;

namespace {

constexpr int SEL_THREADS = 1024;

// ---------------------------------------------------------------- set-up kernels
// ET[j][i] = Gamma[i][j] * M[i][j]  (E transposed, so that "sum over j in S of E_ij" reads rows of ET).
__global__ void et_kernel(const double* __restrict__ G, const double* __restrict__ M, int n, double* __restrict__ ET) {
    __shared__ double tile[32][33];
    const int bx = blockIdx.x * 32, by = blockIdx.y * 32;
    for (int r = threadIdx.y; r < 32; r += 8) {
        const int i = by + r, j = bx + threadIdx.x;
        if (i < n && j < n) tile[r][threadIdx.x] = G[(size_t)i * n + j] * M[(size_t)i * n + j];
    }
    __syncthreads();
    for (int r = threadIdx.y; r < 32; r += 8) {
        const int j = bx + r, i = by + threadIdx.x;
        if (i < n && j < n) ET[(size_t)j * n + i] = tile[threadIdx.x][r];
    }
}

__global__ void diag_kernel(const double* __restrict__ X, int n, double* __restrict__ d) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) d[i] = X[(size_t)i * n + i];
}

// q[i] = sum_o W[o][i] * P[o][i]
__global__ void colsum_prod_kernel(const double* __restrict__ W, const double* __restrict__ P, int out, int n,
                                   double* __restrict__ q) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double s = 0.0;
    for (int o = 0; o < out; ++o) s += W[(size_t)o * n + i] * P[(size_t)o * n + i];
    q[i] = s;
}

__global__ void trace_kernel(const double* __restrict__ X, int m, double* __restrict__ res) {
    __shared__ double sh[33];
    double s = 0.0;
    for (int i = threadIdx.x; i < m; i += blockDim.x) s += X[(size_t)i * m + i];
    s = block_sum<double>(s, sh);
    if (threadIdx.x == 0) *res = s;
}

// ---------------------------------------------------------------- gathers
// out[a][c] = X[S[a]][c]  (s rows of `cols` columns)
__global__ void gather_rows_kernel(const double* __restrict__ X, int cols, const int32_t* __restrict__ S, int s,
                                   double* __restrict__ out, const int* skip) {
    if (skip && *skip) return;
    const size_t total = (size_t)s * cols;
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x) {
        const size_t a = e / cols, c = e % cols;
        out[e] = X[(size_t)S[a] * cols + c];
    }
}

// out[a][b] = X[S[a]][S[b]]  (X is n x n)
__global__ void gather_ss_kernel(const double* __restrict__ X, int n, const int32_t* __restrict__ S, int s,
                                 double* __restrict__ out, const int* skip) {
    if (skip && *skip) return;
    const size_t total = (size_t)s * s;
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x) {
        const size_t a = e / s, b = e % s;
        out[e] = X[(size_t)S[a] * n + S[b]];
    }
}

// ---------------------------------------------------------------- scores
// Block (32, 8): 32 groups i per block, 8 threads striding over the support; fixed-order reduction.
enum { SC_SIGNED = ISPASP_SCORE_SIGNED_SUM, SC_GROUP = ISPASP_SCORE_GROUP_NORM, SC_CORR = ISPASP_SCORE_CORRELATION };

template <int MODE>
__global__ void scores_kernel(int n, int s, const int32_t* __restrict__ S, const double* __restrict__ X,
                              const double* __restrict__ aux, const double* __restrict__ Y,
                              const double* __restrict__ base, double* __restrict__ g, const int* skip) {
    // SIGNED: X = M,   aux = a,   base = zw:  g_i = zw_i - sum_j M[j][i] a_j           (M symmetric)
    // CORR:   X = ET,  base = dcw:            g_i = dcw_i - sum_j ET[j][i]              (= E_ij)
    // GROUP:  X = MsT (s x n), aux = CW, Y = YT (s x n), base = q:
    //         g_i = sqrt(max(0, q_i + sum_k MsT[k][i] (YT[k][i] - 2 CW[S_k][i])))
    if (skip && *skip) return;
    __shared__ double red[8][33];
    const int i = blockIdx.x * 32 + threadIdx.x;
    double acc = 0.0;
    if (i < n) {
        for (int k = threadIdx.y; k < s; k += 8) {
            if (MODE == SC_SIGNED) {
                const int j = S[k];
                acc += X[(size_t)j * n + i] * aux[j];
            } else if (MODE == SC_CORR) {
                acc += X[(size_t)S[k] * n + i];
            } else {
                const double m = X[(size_t)k * n + i];
                acc += m * (Y[(size_t)k * n + i] - 2.0 * aux[(size_t)S[k] * n + i]);
            }
        }
    }
    red[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && i < n) {
        double t = 0.0;
#pragma unroll
        for (int y = 0; y < 8; ++y) t += red[y][threadIdx.x];
        if (MODE == SC_GROUP)
            g[i] = sqrt(fmax(0.0, base[i] + t));
        else
            g[i] = base[i] - t;
    }
}

// ---------------------------------------------------------------- residual
// partial[a] = sum_b ET[S_a][S_b]
__global__ void residual_partial_kernel(const double* __restrict__ ET, int n, const int32_t* __restrict__ S, int s,
                                        double* __restrict__ partial, const int* skip) {
    if (skip && *skip) return;
    __shared__ double sh[33];
    const double* row = ET + (size_t)S[blockIdx.x] * n;
    double acc = 0.0;
    for (int b = threadIdx.x; b < s; b += blockDim.x) acc += row[S[b]];
    acc = block_sum<double>(acc, sh);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// r = zz + sum_a (partial[a] - 2 dcw[S_a]); writes *r and, if given, *trace_slot.
__global__ void residual_final_kernel(const double* __restrict__ partial, const double* __restrict__ dcw,
                                      const int32_t* __restrict__ S, int s, double zz, double* r, double* trace_slot,
                                      const int* skip) {
    if (skip && *skip) return;
    __shared__ double sh[33];
    double acc = 0.0;
    for (int a = threadIdx.x; a < s; a += blockDim.x) acc += partial[a] - 2.0 * dcw[S[a]];
    acc = block_sum<double>(acc, sh);
    if (threadIdx.x == 0) {
        const double v = zz + acc;
        *r = v;
        if (trace_slot) *trace_slot = v;
    }
}

__global__ void mask_to_double_kernel(const uint8_t* __restrict__ m, size_t count, double* __restrict__ out) {
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < count; e += (size_t)gridDim.x * blockDim.x)
        out[e] = m[e] ? 1.0 : 0.0;
}

// res[b] = zz + sum_j K[b][j] (P[b][j] - 2 dcw[j])   with P = K ET, i.e. P[b][j] = sum_k K[b][k] E[j][k]
__global__ void residual_rows_kernel(const double* __restrict__ K, const double* __restrict__ P,
                                     const double* __restrict__ dcw, int n, double zz, double* __restrict__ res) {
    __shared__ double sh[33];
    const size_t o = (size_t)blockIdx.x * n;
    double acc = 0.0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) acc += K[o + j] * (P[o + j] - 2.0 * dcw[j]);
    acc = block_sum<double>(acc, sh);
    if (threadIdx.x == 0) res[blockIdx.x] = zz + acc;
}

// ---------------------------------------------------------------- loop step
// One i-SpaSP selection step, one block of SEL_THREADS threads. Reads g, r of the current support S.
__global__ void __launch_bounds__(SEL_THREADS)
loop_select_kernel(const double* __restrict__ g, const double* __restrict__ a, int n, int keep, int t, int early_stop,
                   int32_t* S, int* s_cur, uint8_t* flag, int32_t* Snext, const double* r, double* trace, int* done,
                   int* run) {
    __shared__ SelShared sm;
    if (*done) return;  // uniform: *done is only written at the very end of this kernel, by thread 0
    const int tid = threadIdx.x, nt = blockDim.x;
    for (int i = tid; i < n; i += nt) flag[i] = 0;
    __syncthreads();
    // Omega = top-min(2 keep, n) of g  -> bit 1
    const int K1 = min(2 * keep, n);
    block_select(
        n, K1,
        [g](int i, unsigned long long& key) {
            key = ord_key(g[i]);
            return true;
        },
        flag, (uint8_t)1, sm);
    // union with S
    const int sc = *s_cur;
    for (int k = tid; k < sc; k += nt) flag[S[k]] |= (uint8_t)1;
    __syncthreads();
    // next = the keep members of the union with the largest mass  -> bit 2
    block_select(
        n, keep,
        [a, flag](int i, unsigned long long& key) {
            if (!(flag[i] & 1)) return false;
            key = ord_key(a[i]);
            return true;
        },
        flag, (uint8_t)2, sm);
    const int cnt = block_compact(n, flag, (uint8_t)2, Snext, sm.scan);  // ends with a barrier
    int diff = 0;
    for (int k = tid; k < cnt && k < sc; k += nt) diff |= Snext[k] != S[k];
    const bool same = cnt == sc && !__syncthreads_or(diff);  // barrier: S is read before it is rewritten
    if (same && early_stop) {
        if (tid == 0) {
            trace[t - 1] = *r;
            *run = t;
            *done = 1;
        }
        return;
    }
    for (int k = tid; k < cnt; k += nt) S[k] = Snext[k];
    if (tid == 0) {
        *s_cur = cnt;
        *run = t;
    }
}

// ---------------------------------------------------------------- groups (kernels.h item 7)
// S[i taps + k] = groups[i] taps + k
__global__ void expand_kernel(const int32_t* __restrict__ groups, int keep, int taps, int32_t* __restrict__ S,
                              const int* skip) {
    if (skip && *skip) return;
    const int total = keep * taps;
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x)
        S[e] = groups[e / taps] * taps + e % taps;
}

// gg[c] = sum over k of g[c taps + k], in tap order
__global__ void group_sum_kernel(const double* __restrict__ g, int groups, int taps, double* __restrict__ gg,
                                 const int* skip) {
    if (skip && *skip) return;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= groups) return;
    double sum = 0.0;
    for (int k = 0; k < taps; ++k) sum += g[(size_t)c * taps + k];
    gg[c] = sum;
}

template <typename T>
void upload(DevBuf<T>& b, const T* h, size_t count, cudaStream_t s) {
    b.alloc(count);
    ISPASP_CK(cudaMemcpyAsync(b.p, h, count * sizeof(T), cudaMemcpyHostToDevice, s));
}

unsigned grid_for(size_t work) { return blocks_for((int64_t)work, 256, 4096); }

}  // namespace

struct ispasp_unit {
    int dev = 0, n = 0, out = 0, score = 0;
    double zz = 0.0;
    Stream stream;
    DevBuf<double> gram, mass, M, ET, CW, C, dcw, zw, q;
    // evaluation / loop scratch
    DevBuf<int32_t> S, Snext;
    DevBuf<uint8_t> flag;
    DevBuf<double> g, r, trace, partial, MsT, YT, Gss;
    int support_cap = -1;  // s the support scratch (MsT, YT, Gss) is sized for
    DevBuf<int> ints;      // [0] s_cur, [1] done, [2] run
    // the loop over groups (item 7): group mass and scores, Q^T and its row sums (signed-sum), group supports
    DevBuf<double> gmass, gg, QT, qsum, ones;
    DevBuf<int32_t> gS, gSnext;
    DevBuf<uint8_t> gflag;

    void ensure_support_scratch(int s) {
        if (s <= support_cap) return;
        MsT.release();
        YT.release();
        Gss.release();
        support_cap = -1;
        if (score == ISPASP_SCORE_GROUP_NORM && s > 0) {
            MsT.alloc((size_t)s * n);
            YT.alloc((size_t)s * n);
            Gss.alloc((size_t)s * s);
        }
        support_cap = s;
    }

    // Enqueues scores (if wanted) and residual of the support dS[0..s) (s known on the host).
    void eval_device(const int32_t* dS, int s, bool want_scores, const int* skip, double* trace_slot) {
        cudaStream_t st = stream.s;
        const dim3 sb(32, 8), sg((n + 31) / 32);
        if (want_scores) {
            if (score == ISPASP_SCORE_SIGNED_SUM) {
                scores_kernel<SC_SIGNED><<<sg, sb, 0, st>>>(n, s, dS, M.p, mass.p, nullptr, zw.p, g.p, skip);
            } else if (score == ISPASP_SCORE_CORRELATION) {
                scores_kernel<SC_CORR><<<sg, sb, 0, st>>>(n, s, dS, ET.p, nullptr, nullptr, dcw.p, g.p, skip);
            } else {
                if (s > 0) {
                    ensure_support_scratch(s);
                    gather_rows_kernel<<<grid_for((size_t)s * n), 256, 0, st>>>(M.p, n, dS, s, MsT.p, skip);
                    ISPASP_LAUNCHED();
                    gather_ss_kernel<<<grid_for((size_t)s * s), 256, 0, st>>>(gram.p, n, dS, s, Gss.p, skip);
                    ISPASP_LAUNCHED();
                    // YT = Gss^T MsT  (YT[k][i] = sum_j Gamma[S_j][S_k] M[S_j][i] = (M[:,S] Gamma[S,S])[i][k])
                    dgemm(true, false, s, n, s, 1.0, Gss.p, s, MsT.p, n, 0.0, YT.p, n, st, skip);
                }
                scores_kernel<SC_GROUP><<<sg, sb, 0, st>>>(n, s, dS, MsT.p, CW.p, YT.p, q.p, g.p, skip);
            }
            ISPASP_LAUNCHED();
        }
        if (s > 0) {
            residual_partial_kernel<<<s, 256, 0, st>>>(ET.p, n, dS, s, partial.p, skip);
            ISPASP_LAUNCHED();
        }
        residual_final_kernel<<<1, 256, 0, st>>>(partial.p, dcw.p, dS, s, zz, r.p, trace_slot, skip);
        ISPASP_LAUNCHED();
    }

    void check_support(const int32_t* support, int s, const char* who) const {
        if (s < 0 || s > n) throw_arg(std::string(who) + ": support size out of range");
        if (s > 0 && !support) throw_arg(std::string(who) + ": null support");
        for (int k = 0; k < s; ++k) {
            if (support[k] < 0 || support[k] >= n) throw_arg(std::string(who) + ": support index out of range");
            if (k > 0 && support[k] <= support[k - 1])
                throw_arg(std::string(who) + ": support not strictly ascending");
        }
    }

    // Uploads what the loop over `groups` groups needs: their mass and, for q, Q^T and Q's row sums.
    void set_groups(int groups, const double* group_mass, const double* q) {
        cudaStream_t st = stream.s;
        upload(gmass, group_mass, (size_t)groups, st);
        if (q) {
            std::vector<double> qt((size_t)groups * groups), rows((size_t)groups, 0.0), one((size_t)groups, 1.0);
            for (int c = 0; c < groups; ++c)
                for (int d = 0; d < groups; ++d) {
                    qt[(size_t)d * groups + c] = q[(size_t)c * groups + d];
                    rows[c] += q[(size_t)c * groups + d];
                }
            upload(QT, qt.data(), qt.size(), st);
            upload(qsum, rows.data(), rows.size(), st);
            upload(ones, one.data(), one.size(), st);
            ISPASP_CK(cudaStreamSynchronize(st));  // before the host vectors go
        }
        gg.alloc(groups);
        gS.alloc(groups);
        gSnext.alloc(groups);
        gflag.alloc(groups);
    }

    // Enqueues the group scores of the group support gS[0..s): from Q, or summed from the feature scores in g.
    void group_scores_device(int groups, int taps, bool with_q, int s, const int* skip) {
        cudaStream_t st = stream.s;
        if (with_q) {
            // g_c = sum_d Q[c][d] - sum_{d in S} Q^T[d][c]: the signed-sum kernel with M = Q^T, a = 1
            scores_kernel<SC_SIGNED><<<dim3((groups + 31) / 32), dim3(32, 8), 0, st>>>(groups, s, gS.p, QT.p, ones.p,
                                                                                       nullptr, qsum.p, gg.p, skip);
        } else {
            group_sum_kernel<<<(groups + 255) / 256, 256, 0, st>>>(g.p, groups, taps, gg.p, skip);
        }
        ISPASP_LAUNCHED();
    }

    // Item 7: the loop over groups of `taps` features, after set_groups; results in gS (keep), trace, ints[2].
    void run_groups_device(int taps, bool with_q, int keep, int iterations, int early_stop) {
        cudaStream_t st = stream.s;
        const int groups = n / taps, features = keep * taps;
        ISPASP_CK(cudaMemsetAsync(ints.p, 0, 3 * sizeof(int), st));
        if ((int64_t)trace.n < iterations) trace.alloc((size_t)iterations);
        if (score == ISPASP_SCORE_GROUP_NORM) ensure_support_scratch(features);
        eval_device(S.p, 0, !with_q, nullptr, nullptr);  // S = {}
        group_scores_device(groups, taps, with_q, 0, nullptr);
        for (int t = 1; t <= iterations; ++t) {
            loop_select_kernel<<<1, SEL_THREADS, 0, st>>>(gg.p, gmass.p, groups, keep, t, early_stop, gS.p, ints.p,
                                                          gflag.p, gSnext.p, r.p, trace.p, ints.p + 1, ints.p + 2);
            ISPASP_LAUNCHED();
            expand_kernel<<<grid_for((size_t)features), 256, 0, st>>>(gS.p, keep, taps, S.p, ints.p + 1);
            ISPASP_LAUNCHED();
            const bool more = t < iterations;
            eval_device(S.p, features, more && !with_q, ints.p + 1, trace.p + (t - 1));
            if (more) group_scores_device(groups, taps, with_q, keep, ints.p + 1);
        }
    }

    // Enqueues the whole loop; results in S (keep), trace, ints[2] (run).
    void run_device(int keep, int iterations, int early_stop) {
        cudaStream_t st = stream.s;
        ISPASP_CK(cudaMemsetAsync(ints.p, 0, 3 * sizeof(int), st));
        if (iterations <= 0) return;
        if ((int64_t)trace.n < iterations) trace.alloc((size_t)iterations);
        eval_device(S.p, 0, true, nullptr, nullptr);  // S = {}
        if (score == ISPASP_SCORE_GROUP_NORM) ensure_support_scratch(keep);
        for (int t = 1; t <= iterations; ++t) {
            loop_select_kernel<<<1, SEL_THREADS, 0, st>>>(g.p, mass.p, n, keep, t, early_stop, S.p, ints.p, flag.p,
                                                          Snext.p, r.p, trace.p, ints.p + 1, ints.p + 2);
            ISPASP_LAUNCHED();
            eval_device(S.p, keep, t < iterations, ints.p + 1, trace.p + (t - 1));
        }
    }
};

extern "C" ispasp_unit* ispasp_cuda_unit_new(int n, int out, const double* gram, const double* mass, const double* w,
                                             const double* cross, const double* zsum, const double* szz, double zz,
                                             int score) {
    ispasp_unit* res = nullptr;
    guard<int>([&]() -> int {
        if (n <= 0 || out <= 0) throw_arg("unit_new: n and out must be positive");
        if (!gram || !mass || !w) throw_arg("unit_new: null gram, mass or w");
        const int given = (cross != nullptr) + (zsum != nullptr) + (szz != nullptr);
        if (given != 0 && given != 3) throw_arg("unit_new: cross, zsum and szz must be all given or all null");
        if (score < 0 || score > 2) throw_arg("unit_new: unknown score " + std::to_string(score));
        std::unique_ptr<ispasp_unit> u(new ispasp_unit());
        u->dev = current_device();
        DeviceGuard dg_(u->dev);
        u->n = n;
        u->out = out;
        u->score = score;
        u->stream.create();
        cudaStream_t st = u->stream.s;
        const size_t nn = (size_t)n * n, no = (size_t)n * out, oo = (size_t)out * out;

        upload(u->gram, gram, nn, st);
        upload(u->mass, mass, (size_t)n, st);
        DevBuf<double> W;
        upload(W, w, no, st);
        // M = W^T W
        u->M.alloc(nn);
        dgemm(true, false, n, n, out, 1.0, W.p, n, W.p, n, 0.0, u->M.p, n, st);
        // C = Gamma W^T (CURRENT) or given
        if (given) {
            upload(u->C, cross, no, st);
        } else {
            u->C.alloc(no);
            dgemm(false, true, n, out, n, 1.0, u->gram.p, n, W.p, n, 0.0, u->C.p, out, st);
        }
        // CW = C W, dcw = diag(CW)
        u->CW.alloc(nn);
        dgemm(false, false, n, n, out, 1.0, u->C.p, out, W.p, n, 0.0, u->CW.p, n, st);
        u->dcw.alloc(n);
        diag_kernel<<<(n + 255) / 256, 256, 0, st>>>(u->CW.p, n, u->dcw.p);
        ISPASP_LAUNCHED();
        // E (stored transposed)
        u->ET.alloc(nn);
        et_kernel<<<dim3((n + 31) / 32, (n + 31) / 32), dim3(32, 8), 0, st>>>(u->gram.p, u->M.p, n, u->ET.p);
        ISPASP_LAUNCHED();
        // zsum, zw = W^T zsum
        DevBuf<double> zs;
        if (given) {
            upload(zs, zsum, (size_t)out, st);
        } else {
            zs.alloc(out);
            dgemm(false, false, out, 1, n, 1.0, W.p, n, u->mass.p, 1, 0.0, zs.p, 1, st);
        }
        u->zw.alloc(n);
        dgemm(true, false, n, 1, out, 1.0, W.p, n, zs.p, 1, 0.0, u->zw.p, 1, st);
        // szz (W Gamma W^T = W C for CURRENT), zz, q = diag(W^T szz W)
        DevBuf<double> Szz;
        if (given) {
            upload(Szz, szz, oo, st);
            u->zz = zz;
        } else {
            Szz.alloc(oo);
            dgemm(false, false, out, out, n, 1.0, W.p, n, u->C.p, out, 0.0, Szz.p, out, st);
            DevBuf<double> tr(1);
            trace_kernel<<<1, 1024, 0, st>>>(Szz.p, out, tr.p);
            ISPASP_LAUNCHED();
            ISPASP_CK(cudaMemcpyAsync(&u->zz, tr.p, sizeof(double), cudaMemcpyDeviceToHost, st));
            ISPASP_CK(cudaStreamSynchronize(st));
        }
        {
            DevBuf<double> P(no);
            dgemm(false, false, out, n, out, 1.0, Szz.p, out, W.p, n, 0.0, P.p, n, st);
            u->q.alloc(n);
            colsum_prod_kernel<<<(n + 255) / 256, 256, 0, st>>>(W.p, P.p, out, n, u->q.p);
            ISPASP_LAUNCHED();
            ISPASP_CK(cudaStreamSynchronize(st));  // before P, W, zs, Szz are freed
        }
        // scratch
        u->S.alloc(n);
        u->Snext.alloc(n);
        u->flag.alloc(n);
        u->g.alloc(n);
        u->r.alloc(1);
        u->partial.alloc(n);
        u->ints.alloc(3);
        ISPASP_CK(cudaStreamSynchronize(st));
        // drop what the score does not need
        if (score == ISPASP_SCORE_CORRELATION) u->M.release();
        if (score != ISPASP_SCORE_GROUP_NORM) u->CW.release();
        res = u.release();
        return 0;
    });
    return res;
}

extern "C" int ispasp_cuda_unit_evaluate(ispasp_unit* u, const int32_t* support, int s, double* scores,
                                         double* residual) {
    return guard<int>([&]() -> int {
        if (!u || !residual) throw_arg("unit_evaluate: null unit or residual");
        u->check_support(support, s, "unit_evaluate");
        DeviceGuard dg_(u->dev);
        cudaStream_t st = u->stream.s;
        if (s > 0) ISPASP_CK(cudaMemcpyAsync(u->S.p, support, (size_t)s * sizeof(int32_t), cudaMemcpyHostToDevice, st));
        u->eval_device(u->S.p, s, scores != nullptr, nullptr, nullptr);
        if (scores) ISPASP_CK(cudaMemcpyAsync(scores, u->g.p, (size_t)u->n * sizeof(double), cudaMemcpyDeviceToHost, st));
        double r = 0.0;
        ISPASP_CK(cudaMemcpyAsync(&r, u->r.p, sizeof(double), cudaMemcpyDeviceToHost, st));
        ISPASP_CK(cudaStreamSynchronize(st));
        *residual = r;
        return 0;
    });
}

extern "C" int ispasp_cuda_unit_residuals(ispasp_unit* u, const uint8_t* kept, int batch, double* residuals) {
    return guard<int>([&]() -> int {
        if (!u) throw_arg("unit_residuals: null unit");
        if (batch < 0) throw_arg("unit_residuals: batch < 0");
        if (batch == 0) return 0;
        if (!kept || !residuals) throw_arg("unit_residuals: null kept or residuals");
        DeviceGuard dg_(u->dev);
        cudaStream_t st = u->stream.s;
        const int n = u->n;
        const int chunk = (int)std::max<int64_t>(1, std::min<int64_t>({(int64_t)batch, 1024, (int64_t)(32u << 20) / n}));
        DevBuf<uint8_t> m((size_t)chunk * n);
        DevBuf<double> K((size_t)chunk * n), P((size_t)chunk * n), res(chunk);
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            const int bc = std::min(chunk, batch - b0);
            const size_t cnt = (size_t)bc * n;
            ISPASP_CK(cudaMemcpyAsync(m.p, kept + (size_t)b0 * n, cnt, cudaMemcpyHostToDevice, st));
            mask_to_double_kernel<<<grid_for(cnt), 256, 0, st>>>(m.p, cnt, K.p);
            ISPASP_LAUNCHED();
            dgemm(false, false, bc, n, n, 1.0, K.p, n, u->ET.p, n, 0.0, P.p, n, st);
            residual_rows_kernel<<<bc, 256, 0, st>>>(K.p, P.p, u->dcw.p, n, u->zz, res.p);
            ISPASP_LAUNCHED();
            ISPASP_CK(cudaMemcpyAsync(residuals + b0, res.p, (size_t)bc * sizeof(double), cudaMemcpyDeviceToHost, st));
        }
        ISPASP_CK(cudaStreamSynchronize(st));
        return 0;
    });
}

extern "C" int ispasp_cuda_unit_kept(ispasp_unit* u, const int32_t* support, int s, double* gram_ss,
                                     double* cross_s) {
    return guard<int>([&]() -> int {
        if (!u || !gram_ss || !cross_s) throw_arg("unit_kept: null unit, gram_ss or cross_s");
        u->check_support(support, s, "unit_kept");
        if (s == 0) return 0;
        DeviceGuard dg_(u->dev);
        cudaStream_t st = u->stream.s;
        DevBuf<int32_t> dS(s);
        ISPASP_CK(cudaMemcpyAsync(dS.p, support, (size_t)s * sizeof(int32_t), cudaMemcpyHostToDevice, st));
        if (gram_ss) {
            DevBuf<double> o((size_t)s * s);
            gather_ss_kernel<<<grid_for((size_t)s * s), 256, 0, st>>>(u->gram.p, u->n, dS.p, s, o.p, nullptr);
            ISPASP_LAUNCHED();
            ISPASP_CK(cudaMemcpyAsync(gram_ss, o.p, (size_t)s * s * sizeof(double), cudaMemcpyDeviceToHost, st));
            ISPASP_CK(cudaStreamSynchronize(st));
        }
        if (cross_s) {
            DevBuf<double> o((size_t)s * u->out);
            gather_rows_kernel<<<grid_for((size_t)s * u->out), 256, 0, st>>>(u->C.p, u->out, dS.p, s, o.p, nullptr);
            ISPASP_LAUNCHED();
            ISPASP_CK(cudaMemcpyAsync(cross_s, o.p, (size_t)s * u->out * sizeof(double), cudaMemcpyDeviceToHost, st));
            ISPASP_CK(cudaStreamSynchronize(st));
        }
        ISPASP_CK(cudaStreamSynchronize(st));
        return 0;
    });
}

static void check_run_args(ispasp_unit* u, int keep, int iterations, const int32_t* support, const double* trace) {
    if (!u) throw_arg("unit_run: null unit");
    // Same contract as the CPU twin: keep in [1, n], iterations >= 1, non-null buffers.
    if (keep < 1 || keep > u->n) throw_arg("unit_run: keep must be in [1, n], got " + std::to_string(keep));
    if (iterations < 1) throw_arg("unit_run: iterations must be >= 1");
    if (!support || !trace) throw_arg("unit_run: null support or trace");
}

// Copies a finished loop's support (keep entries of dS) and trace back; returns the iterations run.
static int copy_run(ispasp_unit* u, const int32_t* dS, int keep, int iterations, int32_t* support, double* trace) {
    cudaStream_t st = u->stream.s;
    int ints[3] = {0, 0, 0};
    ISPASP_CK(cudaMemcpyAsync(ints, u->ints.p, sizeof(ints), cudaMemcpyDeviceToHost, st));
    ISPASP_CK(cudaStreamSynchronize(st));
    const int run = ints[2];
    if (run < 0 || run > iterations) throw Error{ISPASP_EDEVICE, "unit_run: inconsistent iteration count"};
    if (run > 0) {
        if (keep > 0)
            ISPASP_CK(cudaMemcpyAsync(support, dS, (size_t)keep * sizeof(int32_t), cudaMemcpyDeviceToHost, st));
        ISPASP_CK(cudaMemcpyAsync(trace, u->trace.p, (size_t)run * sizeof(double), cudaMemcpyDeviceToHost, st));
        ISPASP_CK(cudaStreamSynchronize(st));
    }
    return run;
}

extern "C" int ispasp_cuda_unit_run(ispasp_unit* u, int keep, int iterations, int early_stop, int32_t* support,
                                    double* trace) {
    return guard<int>([&]() -> int {
        check_run_args(u, keep, iterations, support, trace);
        DeviceGuard dg_(u->dev);
        u->run_device(keep, iterations, early_stop);
        return copy_run(u, u->S.p, keep, iterations, support, trace);
    });
}

static void check_run_groups_args(ispasp_unit* u, int taps, const double* group_mass, int keep, int iterations,
                                  const int32_t* support, const double* trace) {
    if (!u) throw_arg("unit_run_groups: null unit");
    if (taps < 1 || u->n % taps != 0)
        throw_arg("unit_run_groups: taps must divide n=" + std::to_string(u->n) + ", got " + std::to_string(taps));
    if (keep < 1 || keep > u->n / taps)
        throw_arg("unit_run_groups: keep must be in [1, n / taps], got " + std::to_string(keep));
    if (iterations < 1) throw_arg("unit_run_groups: iterations must be >= 1");
    if (!group_mass || !support || !trace) throw_arg("unit_run_groups: null group_mass, support or trace");
}

extern "C" int ispasp_cuda_unit_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q, int keep,
                                           int iterations, int early_stop, int32_t* support, double* trace) {
    return guard<int>([&]() -> int {
        check_run_groups_args(u, taps, group_mass, keep, iterations, support, trace);
        DeviceGuard dg_(u->dev);
        u->set_groups(u->n / taps, group_mass, q);
        u->run_groups_device(taps, q != nullptr, keep, iterations, early_stop);
        return copy_run(u, u->gS.p, keep, iterations, support, trace);
    });
}

extern "C" void ispasp_cuda_unit_free(ispasp_unit* u) {
    if (!u) return;
    DeviceGuard dg_(u->dev, true);
    delete u;
}

// ------------------------------------------------------------------ bench hooks

extern "C" int ispasp_cuda_bench_run(ispasp_unit* u, int keep, int iterations, int early_stop, int reps,
                                     double* median) {
    return guard<int>([&]() -> int {
        int32_t dummy = 0;
        double dummy_t = 0;
        check_run_args(u, keep, iterations, &dummy, &dummy_t);
        if (reps <= 0 || !median) throw_arg("bench_run: bad reps or null median");
        DeviceGuard dg_(u->dev);
        *median = median_event_ms(u->stream.s, reps, [&] { u->run_device(keep, iterations, early_stop); });
        return 0;
    });
}

extern "C" int ispasp_cuda_bench_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q,
                                            int keep, int iterations, int early_stop, int reps, double* median) {
    return guard<int>([&]() -> int {
        int32_t dummy = 0;
        double dummy_t = 0;
        check_run_groups_args(u, taps, group_mass, keep, iterations, &dummy, &dummy_t);
        if (reps <= 0 || !median) throw_arg("bench_run_groups: bad reps or null median");
        DeviceGuard dg_(u->dev);
        u->set_groups(u->n / taps, group_mass, q);
        *median = median_event_ms(u->stream.s, reps, [&] { u->run_groups_device(taps, q != nullptr, keep, iterations, early_stop); });
        return 0;
    });
}

extern "C" int ispasp_cuda_bench_evaluate(ispasp_unit* u, const int32_t* support, int s, int reps, double* median) {
    return guard<int>([&]() -> int {
        if (!u) throw_arg("bench_evaluate: null unit");
        u->check_support(support, s, "bench_evaluate");
        if (reps <= 0 || !median) throw_arg("bench_evaluate: bad reps or null median");
        DeviceGuard dg_(u->dev);
        if (s > 0)
            ISPASP_CK(cudaMemcpy(u->S.p, support, (size_t)s * sizeof(int32_t), cudaMemcpyHostToDevice));
        *median = median_event_ms(u->stream.s, reps, [&] { u->eval_device(u->S.p, s, true, nullptr, nullptr); });
        return 0;
    });
}
