// The CPU twin of every kernel in ispasp/kernels.h. It is the reference the CUDA backend is checked against,
// and the backend every machine without a GPU runs. Compiled into the JNI library by the JavaCPP builder
// (which includes this file once) and into the GPU check program.
#include "ispasp/kernels.h"

#include <algorithm>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "ispasp_gemm.hpp"
#include "ispasp_topk.hpp"

namespace ispasp {

static std::atomic<int> g_threads{0};
static thread_local std::string g_error;

int cpu_threads() {
    int t = g_threads.load();
    if (t > 0) return t;
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : int(hw);
}

bool cpu_has_avx2() {
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
}

static int fail(int code, const std::string& message) {
    g_error = message;
    return code;
}

// Strictly ascending indices in [0, n).
static bool valid_support(const int32_t* s, int count, int n) {
    if (count < 0 || count > n || (count > 0 && s == nullptr)) return false;
    for (int i = 0; i < count; i++) {
        if (s[i] < 0 || s[i] >= n || (i > 0 && s[i] <= s[i - 1])) return false;
    }
    return true;
}

// Runs body(begin, end) over [0, count) split across threads when the work is large enough to pay for them.
template <class Fn>
static void parallel_range(int64_t count, double work, Fn body) {
    int workers = work < 2e6 ? 1 : int(std::min<int64_t>(count, cpu_threads()));
    if (workers <= 1) { body(int64_t(0), count); return; }
    run_workers(workers, [&](int w) {
        int64_t from = count * w / workers, to = count * (w + 1) / workers;
        body(from, to);
    });
}

}  // namespace ispasp

using namespace ispasp;

// ------------------------------------------------------------------------------------------ statistics

struct ispasp_stats {
    int n;
    bool fp64;
    int64_t rows = 0;
    std::vector<double> mass;
    std::vector<double> total;    // fp64 mode: upper triangle of the float64 sum
    std::vector<float> batch;     // fp64 mode: one chunk's fp32 Gram; fp32 mode: the running total
};

static constexpr int64_t kChunkRows = 4096;

extern "C" const char* ispasp_cpu_last_error(void) { return g_error.c_str(); }

extern "C" void ispasp_cpu_set_threads(int threads) { g_threads.store(threads > 0 ? threads : 0); }

extern "C" int ispasp_cpu_setenv_default(const char* name, const char* value) {
    if (name == nullptr || value == nullptr) return fail(ISPASP_EARG, "setenv_default: null argument");
#if defined(_WIN32)
    if (std::getenv(name) != nullptr) return 0;
    return _putenv_s(name, value);
#else
    return setenv(name, value, 0);
#endif
}

extern "C" int64_t ispasp_cpu_heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 m = mallinfo2();  // sums over every arena
    return (int64_t) (m.uordblks + m.hblkhd);
#else
    return -1;
#endif
}

extern "C" ispasp_stats* ispasp_cpu_stats_new(int n, int fp64) {
    if (n <= 0) { fail(ISPASP_EARG, "stats: n must be positive, got " + std::to_string(n)); return nullptr; }
    try {
        auto st = std::make_unique<ispasp_stats>(ispasp_stats{n, fp64 != 0});
        st->mass.assign(n, 0.0);
        st->batch.assign(size_t(n) * n, 0.0f);
        if (st->fp64) st->total.assign(size_t(n) * n, 0.0);
        return st.release();
    } catch (const std::bad_alloc&) {
        fail(ISPASP_ENOMEM, "stats: out of memory for n = " + std::to_string(n));
        return nullptr;
    }
}

extern "C" int ispasp_cpu_stats_add(ispasp_stats* st, const float* h, int64_t rows) {
    if (st == nullptr || rows < 0 || (rows > 0 && h == nullptr)) return fail(ISPASP_EARG, "stats_add: bad arguments");
    int n = st->n;
    for (int64_t r = 0; r < rows; r++) {
        const float* row = h + r * n;
        for (int j = 0; j < n; j++) st->mass[j] += row[j];
    }
    for (int64_t from = 0; from < rows; from += kChunkRows) {
        int64_t count = std::min(kChunkRows, rows - from);
        const float* chunk = h + from * n;
        // Gamma_chunk = H^T H with H = chunk [count x n]: A = H^T (H read transposed), B = H
        View<float> a{chunk, n, true}, b{chunk, n, false};
        gemm<float>(n, n, count, a, b, st->batch.data(), n, !st->fp64, true);
        if (st->fp64) {
            for (int i = 0; i < n; i++) {
                double* t = st->total.data() + size_t(i) * n;
                const float* c = st->batch.data() + size_t(i) * n;
                for (int j = i; j < n; j++) t[j] += c[j];
            }
        }
    }
    st->rows += rows;
    return 0;
}

extern "C" int ispasp_cpu_stats_get(ispasp_stats* st, double* mass, double* gram) {
    if (st == nullptr || mass == nullptr || gram == nullptr) return fail(ISPASP_EARG, "stats_get: bad arguments");
    int n = st->n;
    std::copy(st->mass.begin(), st->mass.end(), mass);
    for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) {
            double v = st->fp64 ? st->total[size_t(i) * n + j] : double(st->batch[size_t(i) * n + j]);
            gram[size_t(i) * n + j] = v;
            gram[size_t(j) * n + i] = v;
        }
    }
    return 0;
}

extern "C" int64_t ispasp_cpu_stats_rows(ispasp_stats* st) { return st == nullptr ? ISPASP_EARG : st->rows; }

extern "C" void ispasp_cpu_stats_free(ispasp_stats* st) { delete st; }

// ------------------------------------------------------------------------------------------ unit

struct ispasp_unit {
    int n, out, score;
    double zz;
    std::vector<double> gram, m, e, c, cw, dcw, zw, q, mass, w;  // c may be empty (CURRENT target)
    // group-norm: rows pt[k] = sum_{j in S} Gamma_kj M[j,:] for k in `pt_support`, updated incrementally
    std::vector<double> pt;
    std::vector<int32_t> pt_support;
    bool pt_valid = false;
};

static void mirror_upper(double* a, int n) {
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) a[size_t(j) * n + i] = a[size_t(i) * n + j];
}

extern "C" ispasp_unit* ispasp_cpu_unit_new(int n, int out, const double* gram, const double* mass, const double* w,
                                            const double* cross, const double* zsum, const double* szz, double zz,
                                            int score) {
    bool original = cross != nullptr || zsum != nullptr || szz != nullptr;
    if (n <= 0 || out <= 0 || gram == nullptr || mass == nullptr || w == nullptr ||
        (original && (cross == nullptr || zsum == nullptr || szz == nullptr)) || score < 0 || score > 2) {
        fail(ISPASP_EARG, "unit_new: bad arguments (n=" + std::to_string(n) + ", out=" + std::to_string(out) +
                              ", score=" + std::to_string(score) + ")");
        return nullptr;
    }
    try {
        auto owner = std::make_unique<ispasp_unit>();   // freed if an allocation below fails
        ispasp_unit* u = owner.get();
        u->n = n;
        u->out = out;
        u->score = score;
        size_t nn = size_t(n) * n;
        u->gram.assign(gram, gram + nn);
        u->mass.assign(mass, mass + n);
        // M = W^T W (symmetric: upper tiles, then mirrored)
        u->m.assign(nn, 0.0);
        gemm<double>(n, n, out, View<double>{w, n, true}, View<double>{w, n, false}, u->m.data(), n, false, true);
        mirror_upper(u->m.data(), n);
        u->e.resize(nn);
        for (size_t i = 0; i < nn; i++) u->e[i] = u->gram[i] * u->m[i];
        u->dcw.assign(n, 0.0);
        u->zw.assign(n, 0.0);
        bool norm = score == ISPASP_SCORE_GROUP_NORM;
        if (norm) u->cw.assign(nn, 0.0);
        if (original) {
            u->c.assign(cross, cross + size_t(n) * out);
            u->zz = zz;
            for (int o = 0; o < out; o++) {
                const double* wo = w + size_t(o) * n;
                for (int i = 0; i < n; i++) {
                    u->dcw[i] += u->c[size_t(i) * out + o] * wo[i];
                    u->zw[i] += wo[i] * zsum[o];
                }
            }
            if (norm) {
                gemm<double>(n, n, out, View<double>{u->c.data(), out, false}, View<double>{w, n, false}, u->cw.data(), n, false, false);
                // q_i = w_i^T szz w_i via T = szz W [out x n]
                std::vector<double> t(size_t(out) * n);
                gemm<double>(out, n, out, View<double>{szz, out, false}, View<double>{w, n, false}, t.data(), n, false, false);
                u->q.assign(n, 0.0);
                for (int o = 0; o < out; o++)
                    for (int i = 0; i < n; i++) u->q[i] += w[size_t(o) * n + i] * t[size_t(o) * n + i];
            }
        } else {
            // CURRENT target z = W h. The header's definitions reduce to: diag(CW) = rowsum(E), W^T zsum = M a,
            // zz = sum(E), CW = Gamma M, q = diag(M Gamma M) = colsum(M o CW). C = Gamma W^T is formed only when it
            // is the cheaper route to CW (narrow B), else per kept row in unit_kept.
            double total = 0;
            for (int i = 0; i < n; i++) {
                const double* er = u->e.data() + size_t(i) * n;
                const double* mr = u->m.data() + size_t(i) * n;
                double row = 0, za = 0;
                for (int j = 0; j < n; j++) {
                    row += er[j];
                    za += mr[j] * mass[j];
                }
                u->dcw[i] = row;
                u->zw[i] = za;
                total += row;
            }
            u->zz = total;
            if (norm) {
                if (2 * int64_t(out) < n) {
                    u->c.assign(size_t(n) * out, 0.0);
                    gemm<double>(n, out, n, View<double>{gram, n, false}, View<double>{w, n, true}, u->c.data(), out, false, false);
                    gemm<double>(n, n, out, View<double>{u->c.data(), out, false}, View<double>{w, n, false}, u->cw.data(), n, false, false);
                } else {
                    gemm<double>(n, n, n, View<double>{gram, n, false}, View<double>{u->m.data(), n, false}, u->cw.data(), n, false, false);
                }
                u->q.assign(n, 0.0);
                for (int k = 0; k < n; k++) {
                    const double* mk = u->m.data() + size_t(k) * n;
                    const double* ck = u->cw.data() + size_t(k) * n;
                    for (int i = 0; i < n; i++) u->q[i] += mk[i] * ck[i];
                }
            }
        }
        if (norm) u->pt.assign(nn, 0.0);
        u->w.assign(w, w + size_t(out) * n);
        return owner.release();
    } catch (const std::bad_alloc&) {
        fail(ISPASP_ENOMEM, "unit_new: out of memory for n = " + std::to_string(n));
        return nullptr;
    }
}

static double unit_residual(const ispasp_unit* u, const int32_t* s, int count) {
    int n = u->n;
    double acc = u->zz, lin = 0, quad = 0;
    for (int a = 0; a < count; a++) {
        lin += u->dcw[s[a]];
        const double* row = u->e.data() + size_t(s[a]) * n;
        for (int b = 0; b < count; b++) quad += row[s[b]];
    }
    return acc - 2 * lin + quad;
}

// Below this many changed groups the incremental updates are row loops, not matrix products.
static constexpr int kSmallDelta = 8;

// Brings pt to the support s: a full product when the support changed a lot, otherwise row updates.
static void update_pt(ispasp_unit* u, const int32_t* s, int count) {
    int n = u->n;
    std::vector<int32_t> added, removed, common;
    const std::vector<int32_t>& old = u->pt_support;
    if (u->pt_valid) {
        std::set_difference(s, s + count, old.begin(), old.end(), std::back_inserter(added));
        std::set_difference(old.begin(), old.end(), s, s + count, std::back_inserter(removed));
        std::set_intersection(s, s + count, old.begin(), old.end(), std::back_inserter(common));
    }
    double full = double(count) * count;
    double delta = double(common.size()) * double(added.size() + removed.size()) + double(added.size()) * count;
    if (!u->pt_valid || delta >= full) {
        if (count > 0) {
            // rows = Gamma[S,S] M[S,:], as one product on compact copies
            std::vector<double> gss(size_t(count) * count);
            for (int a = 0; a < count; a++)
                for (int b = 0; b < count; b++) gss[size_t(a) * count + b] = u->gram[size_t(s[a]) * n + s[b]];
            gemm<double>(count, n, count, View<double>{gss.data(), count, false}, View<double>{u->m.data(), n, false, s},
                         u->pt.data(), n, false, false, s);
        }
    } else {
        // Both updates are matrix products (rows of M gathered by index; streaming an 8n-byte row of M once per
        // kept row instead would be memory-bound):
        //   pt[common] += Gamma[common, A] M[A,:] - Gamma[common, R] M[R,:]
        //   pt[A]       = Gamma[A, S] M[S,:]
        std::vector<int32_t> delta(added);
        delta.insert(delta.end(), removed.begin(), removed.end());
        int c = int(common.size()), d = int(delta.size()), a = int(added.size());
        if (c > 0 && d > 0) {
            std::vector<double> coef(size_t(c) * d);
            for (int r = 0; r < c; r++)
                for (int q = 0; q < d; q++) {
                    double g = u->gram[size_t(common[r]) * n + delta[q]];
                    coef[size_t(r) * d + q] = q < a ? g : -g;
                }
            if (d > kSmallDelta) {
                gemm<double>(c, n, d, View<double>{coef.data(), d, false}, View<double>{u->m.data(), n, false, delta.data()},
                             u->pt.data(), n, true, false, common.data());
            } else {
                // a few changed groups: the rows of M they need stay in cache while the kept rows stream past
                parallel_range(c, double(c) * d * n, [&](int64_t from, int64_t to) {
                    for (int64_t r = from; r < to; r++) {
                        double* row = u->pt.data() + size_t(common[r]) * n;
                        for (int q = 0; q < d; q++) {
                            double cq = coef[size_t(r) * d + q];
                            const double* mq = u->m.data() + size_t(delta[q]) * n;
                            for (int i = 0; i < n; i++) row[i] += cq * mq[i];
                        }
                    }
                });
            }
        }
        if (a > 0) {
            std::vector<double> gas(size_t(a) * count);
            for (int r = 0; r < a; r++)
                for (int q = 0; q < count; q++) gas[size_t(r) * count + q] = u->gram[size_t(added[r]) * n + s[q]];
            if (a > kSmallDelta) {
                gemm<double>(a, n, count, View<double>{gas.data(), count, false}, View<double>{u->m.data(), n, false, s},
                             u->pt.data(), n, false, false, added.data());
            } else {
                // each row of M[S,:] is read once for all new rows; the threads split the columns
                parallel_range(n, double(a) * count * n, [&](int64_t from, int64_t to) {
                    for (int r = 0; r < a; r++) std::fill(u->pt.data() + size_t(added[r]) * n + from, u->pt.data() + size_t(added[r]) * n + to, 0.0);
                    for (int q = 0; q < count; q++) {
                        const double* mq = u->m.data() + size_t(s[q]) * n;
                        for (int r = 0; r < a; r++) {
                            double g = gas[size_t(r) * count + q];
                            double* row = u->pt.data() + size_t(added[r]) * n;
                            for (int64_t i = from; i < to; i++) row[i] += g * mq[i];
                        }
                    }
                });
            }
        }
    }
    u->pt_support.assign(s, s + count);
    u->pt_valid = true;
}

static void unit_scores(ispasp_unit* u, const int32_t* s, int count, double* g) {
    int n = u->n;
    switch (u->score) {
        case ISPASP_SCORE_SIGNED_SUM:
            // g = zw - M[:,S] a_S, by rows of the symmetric M
            std::copy(u->zw.begin(), u->zw.end(), g);
            for (int a = 0; a < count; a++) {
                double c = u->mass[s[a]];
                const double* row = u->m.data() + size_t(s[a]) * n;
                for (int i = 0; i < n; i++) g[i] -= c * row[i];
            }
            break;
        case ISPASP_SCORE_CORRELATION:
            std::copy(u->dcw.begin(), u->dcw.end(), g);
            for (int a = 0; a < count; a++) {
                const double* row = u->e.data() + size_t(s[a]) * n;
                for (int i = 0; i < n; i++) g[i] -= row[i];
            }
            break;
        default: {
            // g_i^2 = q_i + sum_{k in S} M[k][i] (pt[k][i] - 2 CW[k][i])
            update_pt(u, s, count);
            std::copy(u->q.begin(), u->q.end(), g);
            for (int a = 0; a < count; a++) {
                size_t k = size_t(s[a]) * n;
                const double* mk = u->m.data() + k;
                const double* pk = u->pt.data() + k;
                const double* ck = u->cw.data() + k;
                for (int i = 0; i < n; i++) g[i] += mk[i] * (pk[i] - 2 * ck[i]);
            }
            for (int i = 0; i < n; i++) g[i] = std::sqrt(std::max(0.0, g[i]));
        }
    }
}

extern "C" int ispasp_cpu_unit_evaluate(ispasp_unit* u, const int32_t* support, int s, double* scores, double* residual) {
    if (u == nullptr || residual == nullptr || !valid_support(support, s, u ? u->n : 0))
        return fail(ISPASP_EARG, "unit_evaluate: bad arguments or support not strictly ascending in [0, n)");
    try {
        *residual = unit_residual(u, support, s);
        if (scores != nullptr) unit_scores(u, support, s, scores);
        return 0;
    } catch (const std::bad_alloc&) {
        return fail(ISPASP_ENOMEM, "unit_evaluate: out of memory");
    }
}

extern "C" int ispasp_cpu_unit_residuals(ispasp_unit* u, const uint8_t* kept, int batch, double* residuals) {
    if (u == nullptr || batch < 0 || (batch > 0 && (kept == nullptr || residuals == nullptr)))
        return fail(ISPASP_EARG, "unit_residuals: bad arguments");
    int n = u->n;
    parallel_range(batch, double(batch) * n * n / 4, [&](int64_t from, int64_t to) {
        std::vector<int32_t> s;
        for (int64_t b = from; b < to; b++) {
            s.clear();
            for (int i = 0; i < n; i++) if (kept[size_t(b) * n + i]) s.push_back(i);
            residuals[b] = unit_residual(u, s.data(), int(s.size()));
        }
    });
    return 0;
}

// The loop of kernels.h items 5 and 7: over groups of `taps` consecutive features (taps = 1: the features
// themselves). Group scores: with q, g_c = sum over d not in S of q[c][d] (ascending d); else the sum of the
// unit's feature scores over the group's taps.
static int run_loop(ispasp_unit* u, int taps, const double* gmass, const double* q, int keep, int iterations,
                    int early_stop, int32_t* support, double* trace) {
    int n = u->n / taps;
    std::vector<int32_t> cur, uni, next, feat;
    std::vector<double> g(n), fg(q == nullptr && taps > 1 ? u->n : 0), umass;
    std::vector<uint8_t> kept(n);
    std::vector<int64_t> pick(n);
    auto features = [&](const std::vector<int32_t>& groups) {
        feat.clear();
        for (int32_t c : groups) for (int k = 0; k < taps; k++) feat.push_back(c * taps + k);
    };
    auto scores = [&]() {
        if (q != nullptr) {
            std::fill(kept.begin(), kept.end(), uint8_t(0));
            for (int32_t c : cur) kept[c] = 1;
            parallel_range(n, double(n) * n, [&](int64_t from, int64_t to) {
                for (int64_t c = from; c < to; c++) {
                    const double* row = q + size_t(c) * n;
                    double sum = 0;
                    for (int d = 0; d < n; d++) if (!kept[d]) sum += row[d];
                    g[c] = sum;
                }
            });
        } else if (taps == 1) {
            unit_scores(u, feat.data(), int(feat.size()), g.data());
        } else {
            unit_scores(u, feat.data(), int(feat.size()), fg.data());
            for (int c = 0; c < n; c++) {
                double sum = 0;
                for (int k = 0; k < taps; k++) sum += fg[size_t(c) * taps + k];
                g[c] = sum;
            }
        }
    };
    double r = unit_residual(u, nullptr, 0);
    scores();
    int run = 0;
    for (int t = 1; t <= iterations; t++) {
        int64_t two = std::min(2 * int64_t(keep), int64_t(n));
        topk<double>(g.data(), n, two, pick.data());
        uni.clear();
        std::vector<int32_t> omega(pick.begin(), pick.begin() + two);
        std::set_union(omega.begin(), omega.end(), cur.begin(), cur.end(), std::back_inserter(uni));
        umass.resize(uni.size());
        for (size_t i = 0; i < uni.size(); i++) umass[i] = gmass[uni[i]];
        int64_t take = std::min<int64_t>(keep, uni.size());
        topk<double>(umass.data(), int64_t(uni.size()), take, pick.data());
        next.resize(take);
        for (int64_t i = 0; i < take; i++) next[i] = uni[pick[i]];
        run = t;
        if (early_stop && next == cur) {
            trace[t - 1] = r;
            break;
        }
        cur.swap(next);
        features(cur);
        r = unit_residual(u, feat.data(), int(feat.size()));
        if (t < iterations) scores();
        trace[t - 1] = r;
    }
    std::copy(cur.begin(), cur.end(), support);
    return run;
}

extern "C" int ispasp_cpu_unit_run(ispasp_unit* u, int keep, int iterations, int early_stop, int32_t* support, double* trace) {
    if (u == nullptr || keep < 1 || keep > u->n || iterations < 1 || support == nullptr || trace == nullptr)
        return fail(ISPASP_EARG, "unit_run: bad arguments (keep must be in [1, n], iterations >= 1)");
    try {
        return run_loop(u, 1, u->mass.data(), nullptr, keep, iterations, early_stop, support, trace);
    } catch (const std::bad_alloc&) {
        return fail(ISPASP_ENOMEM, "unit_run: out of memory");
    }
}

extern "C" int ispasp_cpu_unit_run_groups(ispasp_unit* u, int taps, const double* group_mass, const double* q, int keep,
                                          int iterations, int early_stop, int32_t* support, double* trace) {
    if (u == nullptr || taps < 1 || u->n % taps != 0 || group_mass == nullptr || keep < 1 || keep > u->n / taps ||
        iterations < 1 || support == nullptr || trace == nullptr)
        return fail(ISPASP_EARG, "unit_run_groups: bad arguments (taps must divide n=" + std::to_string(u ? u->n : 0) +
                                     ", got " + std::to_string(taps) + "; keep must be in [1, n / taps], got " +
                                     std::to_string(keep) + "; iterations >= 1)");
    try {
        return run_loop(u, taps, group_mass, q, keep, iterations, early_stop, support, trace);
    } catch (const std::bad_alloc&) {
        return fail(ISPASP_ENOMEM, "unit_run_groups: out of memory");
    }
}

extern "C" int ispasp_cpu_unit_kept(ispasp_unit* u, const int32_t* support, int s, double* gram_ss, double* cross_s) {
    if (u == nullptr || gram_ss == nullptr || cross_s == nullptr || !valid_support(support, s, u ? u->n : 0))
        return fail(ISPASP_EARG, "unit_kept: bad arguments");
    int n = u->n, out = u->out;
    for (int a = 0; a < s; a++) {
        const double* g = u->gram.data() + size_t(support[a]) * n;
        for (int b = 0; b < s; b++) gram_ss[size_t(a) * s + b] = g[support[b]];
        double* dst = cross_s + size_t(a) * out;
        if (!u->c.empty()) {
            std::copy_n(u->c.data() + size_t(support[a]) * out, out, dst);
        } else {
            // C[k,:] = Gamma[k,:] W^T
            for (int o = 0; o < out; o++) {
                const double* wo = u->w.data() + size_t(o) * n;
                double acc = 0;
                for (int j = 0; j < n; j++) acc += g[j] * wo[j];
                dst[o] = acc;
            }
        }
    }
    return 0;
}

extern "C" void ispasp_cpu_unit_free(ispasp_unit* u) { delete u; }

// ------------------------------------------------------------------------------------------ top-k

template <class T>
static int topk_checked(const T* x, int64_t n, int64_t k, int64_t* out) {
    if (n < 0 || k < 0 || k > n || (n > 0 && x == nullptr) || (k > 0 && out == nullptr))
        return fail(ISPASP_EARG, "topk: need 0 <= k <= n and non-null buffers (n=" + std::to_string(n) +
                                     ", k=" + std::to_string(k) + ")");
    try {
        topk<T>(x, n, k, out);
        return 0;
    } catch (const std::bad_alloc&) {
        return fail(ISPASP_ENOMEM, "topk: out of memory");
    }
}

extern "C" int ispasp_cpu_topk_f32(const float* x, int64_t n, int64_t k, int64_t* out) { return topk_checked(x, n, k, out); }

extern "C" int ispasp_cpu_topk_f64(const double* x, int64_t n, int64_t k, int64_t* out) { return topk_checked(x, n, k, out); }

// ------------------------------------------------------------------------------------------ 3x3 band sums

extern "C" int ispasp_cpu_band_sums(const float* h, int64_t images, int channels, int height, int width, double* bands) {
    if (images < 0 || channels < 1 || height < 4 || width < 4 || bands == nullptr || (images > 0 && h == nullptr))
        return fail(ISPASP_EARG, "band_sums: need channels >= 1, height >= 4, width >= 4 and non-null buffers (got " +
                                     std::to_string(channels) + " x " + std::to_string(height) + " x " + std::to_string(width) + ")");
    // band of a row/column: 0, 1 for the first two, 3, 4 for the last two, 2 for the rest
    auto band = [](int i, int size) { return i < 2 ? i : i >= size - 2 ? 3 + (i - (size - 2)) : 2; };
    std::vector<int> colBand(width);
    for (int x = 0; x < width; x++) colBand[x] = band(x, width);
    parallel_range(channels, double(images) * channels * height * width, [&](int64_t from, int64_t to) {
        for (int64_t c = from; c < to; c++) {
            double acc[25] = {0};
            for (int64_t img = 0; img < images; img++) {
                const float* map = h + (img * channels + c) * int64_t(height) * width;
                for (int y = 0; y < height; y++) {
                    double* row = acc + 5 * band(y, height);
                    const float* line = map + int64_t(y) * width;
                    for (int x = 0; x < width; x++) row[colBand[x]] += line[x];
                }
            }
            for (int b = 0; b < 25; b++) bands[c * 25 + b] += acc[b];
        }
    });
    return 0;
}
