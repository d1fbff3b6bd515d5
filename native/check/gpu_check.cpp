// ispasp_gpu_check: CUDA backend vs CPU twin vs a float64 reference computed here, then timings.
//
//   ispasp_gpu_check [--out FILE] [--require-gpu] [--quick]
//
// No usable CUDA device: prints "SKIP: <reason>" and exits 0 (1 with --require-gpu).
// Exit status 1 if any check fails. --out writes a Markdown table (kernel, shape, max rel err vs fp64,
// matches CPU twin, median time, notes) plus the device name. --quick skips the large CPU-twin timings;
// --small runs only small shapes and no timings.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench.h"
#include "ispasp/kernels.h"

namespace {

using Clock = std::chrono::steady_clock;
using std::size_t;
using std::string;
using std::vector;

bool g_fail = false;
bool g_small = false;  // --small: small shapes only, no timings (for slow emulation / smoke runs)
int g_only_n = 0;     // --only-n N: only the unit case with n = N (emulation runs of one case)

struct Row {
    string kernel, shape, err, match, time, notes;
};
vector<Row> g_rows;

string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
string fmt(const char* f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

void add_row(const string& kernel, const string& shape, const string& err, const string& match, const string& time,
             const string& notes, bool ok) {
    g_rows.push_back({kernel, shape, err, match, time, notes});
    std::printf("%-5s %-28s %-34s err=%-10s cpu=%-6s t=%-10s %s\n", ok ? "ok" : "FAIL", kernel.c_str(), shape.c_str(),
                err.c_str(), match.c_str(), time.c_str(), notes.c_str());
    if (!ok) g_fail = true;
}

template <typename A, typename B, typename R>
double rel_err(const A* a, const B* b, const R* ref, size_t n) {
    double md = 0, mr = 0;
    for (size_t i = 0; i < n; ++i) {
        md = std::max(md, std::fabs((double)a[i] - (double)b[i]));
        mr = std::max(mr, std::fabs((double)ref[i]));
    }
    return mr > 0 ? md / mr : md;
}
template <typename A, typename R>
double rel_err(const vector<A>& a, const vector<R>& ref) {
    return rel_err(a.data(), ref.data(), ref.data(), std::min(a.size(), ref.size()));
}

double median(vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double host_ms(const std::function<void()>& f, int reps) {
    f();  // warm-up
    vector<double> t;
    for (int r = 0; r < reps; ++r) {
        auto a = Clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    }
    return median(t);
}

string ms_str(double ms) { return ms >= 1.0 ? fmt("%.3f ms", ms) : fmt("%.1f us", ms * 1e3); }

// ------------------------------------------------------------------ float64 references
struct Ref {
    int n, out;
    vector<double> G, a, W, C, zsum, szz, M, CW, E, dcw, zw, q;
    double zz;
    void setup(bool original) {
        M.assign((size_t)n * n, 0);
        for (int o = 0; o < out; ++o)
            for (int i = 0; i < n; ++i) {
                const double wi = W[(size_t)o * n + i];
                for (int j = 0; j < n; ++j) M[(size_t)i * n + j] += wi * W[(size_t)o * n + j];
            }
        if (!original) {
            C.assign((size_t)n * out, 0);
            for (int i = 0; i < n; ++i)
                for (int o = 0; o < out; ++o) {
                    double s = 0;
                    for (int k = 0; k < n; ++k) s += G[(size_t)i * n + k] * W[(size_t)o * n + k];
                    C[(size_t)i * out + o] = s;
                }
            zsum.assign(out, 0);
            for (int o = 0; o < out; ++o)
                for (int k = 0; k < n; ++k) zsum[o] += W[(size_t)o * n + k] * a[k];
            szz.assign((size_t)out * out, 0);
            for (int o = 0; o < out; ++o)
                for (int p = 0; p < out; ++p) {
                    double s = 0;
                    for (int k = 0; k < n; ++k) s += W[(size_t)o * n + k] * C[(size_t)k * out + p];
                    szz[(size_t)o * out + p] = s;
                }
            zz = 0;
            for (int o = 0; o < out; ++o) zz += szz[(size_t)o * out + o];
        }
        CW.assign((size_t)n * n, 0);
        for (int i = 0; i < n; ++i)
            for (int o = 0; o < out; ++o) {
                const double c = C[(size_t)i * out + o];
                for (int j = 0; j < n; ++j) CW[(size_t)i * n + j] += c * W[(size_t)o * n + j];
            }
        E.resize((size_t)n * n);
        for (size_t e = 0; e < E.size(); ++e) E[e] = G[e] * M[e];
        dcw.resize(n);
        for (int i = 0; i < n; ++i) dcw[i] = CW[(size_t)i * n + i];
        zw.assign(n, 0);
        for (int o = 0; o < out; ++o)
            for (int i = 0; i < n; ++i) zw[i] += W[(size_t)o * n + i] * zsum[o];
        q.assign(n, 0);
        for (int i = 0; i < n; ++i) {
            double s = 0;
            for (int o = 0; o < out; ++o) {
                double t = 0;
                for (int p = 0; p < out; ++p) t += szz[(size_t)o * out + p] * W[(size_t)p * n + i];
                s += W[(size_t)o * n + i] * t;
            }
            q[i] = s;
        }
    }
    double residual(const vector<int32_t>& S) const {
        double r = zz;
        for (int j : S) r -= 2 * dcw[j];
        for (int j : S)
            for (int k : S) r += E[(size_t)j * n + k];
        return r;
    }
    vector<double> scores(const vector<int32_t>& S, int score) const {
        vector<double> g(n);
        for (int i = 0; i < n; ++i) {
            if (score == ISPASP_SCORE_SIGNED_SUM) {
                double s = zw[i];
                for (int j : S) s -= M[(size_t)i * n + j] * a[j];
                g[i] = s;
            } else if (score == ISPASP_SCORE_CORRELATION) {
                double s = dcw[i];
                for (int j : S) s -= E[(size_t)i * n + j];
                g[i] = s;
            } else {
                double s = q[i];
                for (int k : S) s -= 2 * M[(size_t)i * n + k] * CW[(size_t)k * n + i];
                for (int j : S) {
                    double y = 0;
                    for (int k : S) y += G[(size_t)j * n + k] * M[(size_t)i * n + k];
                    s += M[(size_t)i * n + j] * y;
                }
                g[i] = std::sqrt(std::max(0.0, s));
            }
        }
        return g;
    }
};

// Reference tie rule: larger first, NaN last, ties by lower index; result ascending.
template <typename T>
vector<int64_t> ref_topk(const T* x, int64_t n, int64_t k) {
    vector<int64_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    auto better = [&](int64_t i, int64_t j) {
        const T a = x[i], b = x[j];
        const bool na = a != a, nb = b != b;
        if (na != nb) return nb;  // number before NaN
        if (!na && a != b) return a > b;
        return i < j;
    };
    if (k < n) std::nth_element(idx.begin(), idx.begin() + k, idx.end(), better);
    idx.resize(k);
    std::sort(idx.begin(), idx.end());
    return idx;
}

vector<int32_t> ref_select(const vector<double>& g, const vector<double>& a, const vector<int32_t>& S, int keep) {
    const int n = (int)g.size();
    const int k1 = std::min(2 * keep, n);
    vector<int64_t> om = ref_topk(g.data(), n, k1);
    vector<char> in(n, 0);
    for (auto i : om) in[i] = 1;
    for (auto i : S) in[i] = 1;
    vector<int64_t> u;
    for (int i = 0; i < n; ++i)
        if (in[i]) u.push_back(i);
    vector<double> au(u.size());
    for (size_t t = 0; t < u.size(); ++t) au[t] = a[u[t]];
    vector<int64_t> pick = ref_topk(au.data(), (int64_t)au.size(), keep);  // positions in u (ascending = index order)
    vector<int32_t> next;
    for (auto p : pick) next.push_back((int32_t)u[p]);
    return next;
}

// The loop over groups of `taps` features (kernels.h item 7), written out plainly.
int ref_run_groups(const Ref& R, int score, int taps, const vector<double>& gmass, const vector<double>* q, int keep,
                   int iterations, bool early, vector<int32_t>& S, vector<double>& trace) {
    const int groups = R.n / taps;
    auto features = [&](const vector<int32_t>& s) {
        vector<int32_t> f;
        for (int c : s)
            for (int k = 0; k < taps; ++k) f.push_back(c * taps + k);
        return f;
    };
    auto group_scores = [&](const vector<int32_t>& s) {
        vector<double> g(groups, 0.0);
        if (q) {
            vector<char> in(groups, 0);
            for (int c : s) in[c] = 1;
            for (int c = 0; c < groups; ++c)
                for (int d = 0; d < groups; ++d)
                    if (!in[d]) g[c] += (*q)[(size_t)c * groups + d];
        } else {
            vector<double> f = R.scores(features(s), score);
            for (int c = 0; c < groups; ++c)
                for (int k = 0; k < taps; ++k) g[c] += f[(size_t)c * taps + k];
        }
        return g;
    };
    S.clear();
    trace.assign(iterations, 0);
    vector<double> g = group_scores(S);
    double r = R.residual(S);
    for (int t = 1; t <= iterations; ++t) {
        vector<int32_t> next = ref_select(g, gmass, S, keep);
        if (early && next == S) {
            trace[t - 1] = r;
            return t;
        }
        S = next;
        if (t < iterations) g = group_scores(S);
        r = R.residual(features(S));
        trace[t - 1] = r;
    }
    return iterations;
}

// The plain loop (item 5): the loop over groups of one feature each, thresholded by the unit's own mass.
int ref_run(const Ref& R, int score, int keep, int iterations, bool early, vector<int32_t>& S, vector<double>& trace) {
    return ref_run_groups(R, score, 1, R.a, nullptr, keep, iterations, early, S, trace);
}

// ------------------------------------------------------------------ inputs
vector<float> random_h(std::mt19937_64& rng, int64_t rows, int n, int dup_every) {
    std::normal_distribution<float> nd(0.f, 1.f);
    vector<float> h((size_t)rows * n);
    for (auto& v : h) v = std::max(0.f, nd(rng) + 0.3f);  // ReLU-like activations
    if (dup_every > 0)  // duplicate columns: exact ties in the mass a
        for (int64_t r = 0; r < rows; ++r)
            for (int i = dup_every; i < n; i += dup_every) h[(size_t)r * n + i] = h[(size_t)r * n + i - 1];
    return h;
}

void ref_stats(const vector<float>& h, int64_t rows, int n, vector<double>& a, vector<double>& G) {
    a.assign(n, 0);
    G.assign((size_t)n * n, 0);
    for (int64_t r = 0; r < rows; ++r) {
        const float* x = &h[(size_t)r * n];
        for (int i = 0; i < n; ++i) {
            a[i] += x[i];
            const double xi = x[i];
            if (xi == 0) continue;
            double* gi = &G[(size_t)i * n];
            for (int j = 0; j < n; ++j) gi[j] += xi * x[j];
        }
    }
}

const char* score_name(int s) { return s == 0 ? "signed-sum" : s == 1 ? "group-norm" : "correlation"; }

// ------------------------------------------------------------------ checks
void check_stats(std::mt19937_64& rng) {
    struct Case { int64_t rows; int n; int fp64; int64_t split; };
    const Case cases[] = {{1000, 37, 1, 333}, {5000, 130, 1, 4500}, {300, 129, 0, 100}, {4097, 256, 1, 4097},
                          {64, 1, 1, 10},     {700, 128, 0, 700},   {9000, 257, 1, 4200}};
    for (const Case& c : cases) {
        if (g_small && c.rows * c.n > 300000) continue;
        vector<float> h = random_h(rng, c.rows, c.n, 0);
        vector<double> ra, rG;
        ref_stats(h, c.rows, c.n, ra, rG);
        vector<double> ga(c.n), gG((size_t)c.n * c.n), ca(c.n), cG((size_t)c.n * c.n);
        bool ok = true;
        string notes;
        ispasp_stats* g = ispasp_cuda_stats_new(c.n, c.fp64);
        if (!g) { ok = false; notes = string("cuda: ") + ispasp_cuda_last_error(); }
        else {
            if (ispasp_cuda_stats_add(g, h.data(), c.split) < 0 ||
                ispasp_cuda_stats_add(g, h.data() + (size_t)c.split * c.n, c.rows - c.split) < 0 ||
                ispasp_cuda_stats_get(g, ga.data(), gG.data()) < 0 || ispasp_cuda_stats_rows(g) != c.rows) {
                ok = false;
                notes = string("cuda: ") + ispasp_cuda_last_error();
            }
            ispasp_cuda_stats_free(g);
        }
        bool cpu_ok = true;
        ispasp_stats* p = ispasp_cpu_stats_new(c.n, c.fp64);
        if (!p || ispasp_cpu_stats_add(p, h.data(), c.split) < 0 ||
            ispasp_cpu_stats_add(p, h.data() + (size_t)c.split * c.n, c.rows - c.split) < 0 ||
            ispasp_cpu_stats_get(p, ca.data(), cG.data()) < 0) {
            cpu_ok = false;
            notes += string(" cpu: ") + ispasp_cpu_last_error();
        }
        if (p) ispasp_cpu_stats_free(p);
        const double eg = rel_err(gG, rG), ea = rel_err(ga, ra);
        bool sym = true;
        for (int i = 0; i < c.n; ++i)
            for (int j = 0; j < i; ++j) sym &= gG[(size_t)i * c.n + j] == gG[(size_t)j * c.n + i];
        const double ec = cpu_ok ? rel_err(gG.data(), cG.data(), rG.data(), gG.size()) : 1.0;
        const bool match = cpu_ok && ec < 2e-4 && rel_err(ga.data(), ca.data(), ra.data(), ga.size()) < 1e-9;
        ok = ok && eg < 1e-4 && ea < 1e-9 && sym && match;
        add_row("stats (Gram + mass)", fmt("rows %lld, n %d, fp64 %d", (long long)c.rows, c.n, c.fp64),
                fmt("%.2e / %.2e", eg, ea), match ? "yes" : "NO", "-",
                fmt("Gram / mass; %s%s", sym ? "symmetric" : "NOT symmetric", notes.c_str()), ok);
    }
}

struct UnitCase { int n, out; int64_t rows; bool original; int dup; };

void build_ref(std::mt19937_64& rng, const UnitCase& c, Ref& R) {
    R.n = c.n;
    R.out = c.out;
    vector<float> h = random_h(rng, c.rows, c.n, c.dup);
    ref_stats(h, c.rows, c.n, R.a, R.G);
    std::normal_distribution<double> nd(0, 1.0 / std::sqrt((double)c.n));
    R.W.resize((size_t)c.out * c.n);
    for (auto& v : R.W) v = nd(rng);
    if (c.original) {  // z = W0 h with a perturbed W0
        vector<double> W0 = R.W;
        for (auto& v : W0) v += 0.3 * nd(rng);
        R.C.assign((size_t)c.n * c.out, 0);
        R.zsum.assign(c.out, 0);
        R.szz.assign((size_t)c.out * c.out, 0);
        R.zz = 0;
        vector<double> z(c.out);
        for (int64_t r = 0; r < c.rows; ++r) {
            const float* x = &h[(size_t)r * c.n];
            for (int o = 0; o < c.out; ++o) {
                double s = 0;
                for (int i = 0; i < c.n; ++i) s += W0[(size_t)o * c.n + i] * x[i];
                z[o] = s;
                R.zsum[o] += s;
                R.zz += s * s;
            }
            for (int i = 0; i < c.n; ++i)
                for (int o = 0; o < c.out; ++o) R.C[(size_t)i * c.out + o] += x[i] * z[o];
            for (int o = 0; o < c.out; ++o)
                for (int p = 0; p < c.out; ++p) R.szz[(size_t)o * c.out + p] += z[o] * z[p];
        }
    }
    R.setup(c.original);
}

vector<int32_t> random_support(std::mt19937_64& rng, int n, int s) {
    vector<int32_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(s);
    std::sort(all.begin(), all.end());
    return all;
}

void check_units(std::mt19937_64& rng) {
    // 27 = 3 groups of 9 taps: the loop over groups as a 3x3 unit runs it
    const UnitCase cases[] = {{37, 5, 500, false, 0}, {27, 4, 300, true, 0}, {130, 17, 800, true, 7}, {200, 33, 1000, false, 5},
                              {129, 64, 600, true, 0}, {300, 10, 1500, false, 3}};
    for (const UnitCase& c : cases) {
        if (g_small && c.n > 130) continue;
        if (g_only_n > 0 && c.n != g_only_n) continue;
        Ref R;
        build_ref(rng, c, R);
        const double* cross = c.original ? R.C.data() : nullptr;
        const double* zsum = c.original ? R.zsum.data() : nullptr;
        const double* szz = c.original ? R.szz.data() : nullptr;
        const string shape0 = fmt("n %d, out %d, %s", c.n, c.out, c.original ? "original" : "current");
        for (int score = 0; score < 3; ++score) {
            ispasp_unit* gu = ispasp_cuda_unit_new(c.n, c.out, R.G.data(), R.a.data(), R.W.data(), cross, zsum, szz,
                                                   R.zz, score);
            ispasp_unit* cu = ispasp_cpu_unit_new(c.n, c.out, R.G.data(), R.a.data(), R.W.data(), cross, zsum, szz,
                                                  R.zz, score);
            const string shape = shape0 + ", " + score_name(score);
            if (!gu) {
                add_row("unit_new", shape, "-", "-", "-", string("cuda: ") + ispasp_cuda_last_error(), false);
                if (cu) ispasp_cpu_unit_free(cu);
                continue;
            }
            // evaluate on several supports (empty, 1, random, all)
            double es = 0, er = 0, ec = 0;
            bool ok = true, cpu_ok = cu != nullptr;
            const int sizes[] = {0, 1, c.n / 3, c.n - 1, c.n};
            // scores are compared relative to their scale at the empty support (they vanish at S = all for the
            // CURRENT target, where a per-support max would divide by rounding noise)
            double scale = 0;
            for (double v : R.scores({}, score)) scale = std::max(scale, std::fabs(v));
            if (scale == 0) scale = 1;
            for (int s : sizes) {
                vector<int32_t> S = random_support(rng, c.n, s);
                vector<double> gs(c.n), cs(c.n);
                double gr = 0, cr = 0;
                if (ispasp_cuda_unit_evaluate(gu, S.data(), s, gs.data(), &gr) < 0) {
                    ok = false;
                    break;
                }
                vector<double> rs = R.scores(S, score);
                const double rr = R.residual(S);
                for (int i = 0; i < c.n; ++i) es = std::max(es, std::fabs(gs[i] - rs[i]) / scale);
                er = std::max(er, std::fabs(gr - rr) / std::max(std::fabs(R.zz), std::fabs(rr)));
                if (cu) {
                    if (ispasp_cpu_unit_evaluate(cu, S.data(), s, cs.data(), &cr) < 0) cpu_ok = false;
                    else
                        for (int i = 0; i < c.n; ++i)
                            ec = std::max(ec, std::max(std::fabs(gs[i] - cs[i]) / scale,
                                                       std::fabs(gr - cr) / std::max(std::fabs(R.zz), std::fabs(rr))));
                }
            }
            const bool match = cpu_ok && ec < 1e-6;
            ok = ok && es < 1e-6 && er < 1e-9 && match;
            add_row("unit_evaluate", shape, fmt("%.1e / %.1e", es, er), match ? "yes" : "NO", "-",
                    ok ? "scores / residual" : string("cuda: ") + ispasp_cuda_last_error() + " cpu: " + ispasp_cpu_last_error(),
                    ok);
            // batched residuals
            {
                const int batch = 23;
                vector<uint8_t> kept((size_t)batch * c.n);
                std::bernoulli_distribution bd(0.4);
                for (auto& v : kept) v = bd(rng);
                for (int i = 0; i < c.n; ++i) kept[i] = 0, kept[(size_t)c.n + i] = 1;
                vector<double> gr(batch), cr(batch), rr(batch);
                for (int b = 0; b < batch; ++b) {
                    vector<int32_t> S;
                    for (int i = 0; i < c.n; ++i)
                        if (kept[(size_t)b * c.n + i]) S.push_back(i);
                    rr[b] = R.residual(S);
                }
                bool rok = ispasp_cuda_unit_residuals(gu, kept.data(), batch, gr.data()) == 0;
                bool rcpu = cu && ispasp_cpu_unit_residuals(cu, kept.data(), batch, cr.data()) == 0;
                double e = 0, e2 = 0;
                for (int b = 0; b < batch; ++b) {
                    const double sc = std::max(std::fabs(R.zz), std::fabs(rr[b]));
                    e = std::max(e, std::fabs(gr[b] - rr[b]) / sc);
                    e2 = std::max(e2, std::fabs(gr[b] - cr[b]) / sc);
                }
                const bool m = rcpu && e2 < 1e-9;
                add_row("unit_residuals", shape + ", batch 23", fmt("%.1e", e), m ? "yes" : "NO", "-",
                        rok ? "" : string("cuda: ") + ispasp_cuda_last_error(), rok && e < 1e-9 && m);
            }
            // kept
            {
                vector<int32_t> S = random_support(rng, c.n, std::max(1, c.n / 4));
                const int s = (int)S.size();
                vector<double> gg((size_t)s * s), gc((size_t)s * c.out), cg(gg.size()), cc(gc.size());
                bool kok = ispasp_cuda_unit_kept(gu, S.data(), s, gg.data(), gc.data()) == 0;
                bool kcpu = cu && ispasp_cpu_unit_kept(cu, S.data(), s, cg.data(), cc.data()) == 0;
                double e = 0;
                for (int x = 0; x < s; ++x) {
                    for (int y = 0; y < s; ++y)
                        e = std::max(e, std::fabs(gg[(size_t)x * s + y] - R.G[(size_t)S[x] * c.n + S[y]]));
                    for (int o = 0; o < c.out; ++o)
                        e = std::max(e, std::fabs(gc[(size_t)x * c.out + o] - R.C[(size_t)S[x] * c.out + o]) /
                                            std::max(1.0, std::fabs(R.C[(size_t)S[x] * c.out + o])));
                }
                const bool m = kcpu && gg == cg && rel_err(gc.data(), cc.data(), R.C.data(), gc.size()) < 1e-12;
                add_row("unit_kept", shape + fmt(", s %d", s), fmt("%.1e", e), m ? "yes" : "NO", "-",
                        kok ? "" : string("cuda: ") + ispasp_cuda_last_error(), kok && e < 1e-9 && m);
            }
            // the loop
            for (int early = 0; early < 2; ++early) {
                const int keeps[] = {1, std::max(1, c.n / 10), c.n / 2, c.n};
                for (int keep : keeps) {
                    const int T = 8;
                    vector<int32_t> gS(keep), cS(keep), rS;
                    vector<double> gt(T), ct(T), rt;
                    const int gr = ispasp_cuda_unit_run(gu, keep, T, early, gS.data(), gt.data());
                    const int cr = cu ? ispasp_cpu_unit_run(cu, keep, T, early, cS.data(), ct.data()) : -1;
                    const int rr = ref_run(R, score, keep, T, early != 0, rS, rt);
                    bool lok = gr == rr && gS == rS;
                    double e = 0;
                    for (int t = 0; t < std::min(gr, rr); ++t)
                        e = std::max(e, std::fabs(gt[t] - rt[t]) / std::max(std::fabs(R.zz), std::fabs(rt[t])));
                    lok = lok && e < 1e-9;
                    const bool m = cr == gr && cS == gS;
                    add_row("unit_run", shape + fmt(", keep %d, T %d, early %d", keep, T, early), fmt("%.1e", e),
                            m ? "yes" : "NO", "-",
                            fmt("run %d (ref %d, cpu %d)%s", gr, rr, cr,
                                gr < 0 ? (string(" cuda: ") + ispasp_cuda_last_error()).c_str() : ""),
                            lok && m);
                }
            }
            // the loop over groups (item 7): feature scores summed per group, and (once per case) the Q form
            {
                const int taps = c.n % 9 == 0 ? 9 : c.n % 3 == 0 ? 3 : c.n % 2 == 0 ? 2 : 1;
                const int groups = c.n / taps;
                vector<double> gmass(groups, 0.0), q((size_t)groups * groups);
                for (int i = 0; i < c.n; ++i) gmass[i / taps] += R.a[i];
                std::normal_distribution<double> nd(0.0, 1.0);
                for (auto& v : q) v = nd(rng);
                // --small (the emulation's shapes) checks one keep, and the summed scores on two scores only
                const bool small_skip = g_small && score == ISPASP_SCORE_GROUP_NORM;
                for (int with_q = 0; with_q < (score == 0 ? 2 : 1) && !small_skip; ++with_q) {
                    const vector<double>* qp = with_q ? &q : nullptr;
                    for (int early = 0; early < 2; ++early) {
                        for (int keep : g_small ? vector<int>{std::max(1, groups / 3)} : vector<int>{1, std::max(1, groups / 3), groups}) {
                            const int T = 6;
                            vector<int32_t> gS(keep), cS(keep), rS;
                            vector<double> gt(T), ct(T), rt;
                            const int gr = ispasp_cuda_unit_run_groups(gu, taps, gmass.data(), qp ? q.data() : nullptr,
                                                                       keep, T, early, gS.data(), gt.data());
                            const int cr = cu ? ispasp_cpu_unit_run_groups(cu, taps, gmass.data(), qp ? q.data() : nullptr,
                                                                           keep, T, early, cS.data(), ct.data())
                                              : -1;
                            const int rr = ref_run_groups(R, score, taps, gmass, qp, keep, T, early != 0, rS, rt);
                            double e = 0;
                            for (int t = 0; t < std::min(gr, rr); ++t)
                                e = std::max(e, std::fabs(gt[t] - rt[t]) / std::max(std::fabs(R.zz), std::fabs(rt[t])));
                            const bool lok = gr == rr && gS == rS && e < 1e-9;
                            const bool m = cr == gr && cS == gS;
                            add_row("unit_run_groups",
                                    shape + fmt(", taps %d, %s, keep %d, T %d, early %d", taps,
                                                with_q ? "Q scores" : "summed scores", keep, T, early),
                                    fmt("%.1e", e), m ? "yes" : "NO", "-",
                                    fmt("run %d (ref %d, cpu %d)%s", gr, rr, cr,
                                        gr < 0 ? (string(" cuda: ") + ispasp_cuda_last_error()).c_str() : ""),
                                    lok && m);
                        }
                    }
                }
            }
            ispasp_cuda_unit_free(gu);
            if (cu) ispasp_cpu_unit_free(cu);
        }
    }
}

template <typename T>
void check_topk_case(const vector<T>& x, int64_t k, const string& what) {
    const int64_t n = (int64_t)x.size();
    vector<int64_t> ref = ref_topk(x.data(), n, k);
    vector<int64_t> g(k + 1, -7), c(k + 1, -7);
    int rg, rc;
    if constexpr (sizeof(T) == 4) {
        rg = ispasp_cuda_topk_f32(x.data(), n, k, g.data());
        rc = ispasp_cpu_topk_f32(x.data(), n, k, c.data());
    } else {
        rg = ispasp_cuda_topk_f64(x.data(), n, k, g.data());
        rc = ispasp_cpu_topk_f64(x.data(), n, k, c.data());
    }
    g.resize(k);
    c.resize(k);
    const bool ok = rg == 0 && g == ref;
    const bool m = rc == 0 && c == g;
    add_row(sizeof(T) == 4 ? "topk_f32" : "topk_f64", fmt("n %lld, k %lld", (long long)n, (long long)k),
            ok ? "0 (same set)" : "DIFFERENT", m ? "yes" : "NO", "-",
            what + (rg ? string(" cuda: ") + ispasp_cuda_last_error() : string()), ok && m);
}

template <typename T>
void check_topk(std::mt19937_64& rng) {
    const int64_t ns[] = {1, 7, 1000, 4097, 100003, 1000003};
    for (int64_t n : ns) {
        if (g_small && n > 5000) continue;
        for (int variant = 0; variant < 3; ++variant) {
            vector<T> x(n);
            string what;
            if (variant == 0) {
                std::normal_distribution<double> nd(0, 1);
                for (auto& v : x) v = (T)nd(rng);
                what = "normal";
            } else if (variant == 1) {  // heavy ties
                std::uniform_int_distribution<int> ud(-5, 5);
                for (auto& v : x) v = (T)ud(rng);
                what = "ties (11 values)";
            } else {  // NaN, inf, signed zeros, ties
                std::uniform_int_distribution<int> ud(0, 9);
                for (auto& v : x) {
                    const int u = ud(rng);
                    v = u == 0 ? std::numeric_limits<T>::quiet_NaN()
                      : u == 1 ? -std::numeric_limits<T>::quiet_NaN()
                      : u == 2 ? -std::numeric_limits<T>::infinity()
                      : u == 3 ? std::numeric_limits<T>::infinity()
                      : u == 4 ? (T)-0.0
                      : u == 5 ? (T)0.0
                               : (T)(u - 7);
                }
                what = "NaN, +-inf, +-0, ties";
            }
            vector<int64_t> ks = {0, 1, n / 2, n - 1, n};
            if (variant == 2) ks.push_back(std::max<int64_t>(0, n - n / 10));  // reaches into the NaNs
            std::sort(ks.begin(), ks.end());
            ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
            for (int64_t k : ks) check_topk_case(x, k, what);
        }
    }
}

void check_errors() {
    int64_t o[2];
    float x[2] = {1, 2};
    bool ok = ispasp_cuda_topk_f32(x, 2, 3, o) == ISPASP_EARG && std::strlen(ispasp_cuda_last_error()) > 0;
    ok = ok && ispasp_cuda_stats_new(0, 1) == nullptr;
    int32_t bad[2] = {3, 1};
    vector<double> I(4, 0.0), a(2, 1.0), w(2, 1.0);
    I[0] = I[3] = 1;
    ispasp_unit* u = ispasp_cuda_unit_new(2, 1, I.data(), a.data(), w.data(), nullptr, nullptr, nullptr, 0, 0);
    ok = ok && u != nullptr;
    if (u) {
        double r;
        ok = ok && ispasp_cuda_unit_evaluate(u, bad, 2, nullptr, &r) == ISPASP_EARG;
        ispasp_cuda_unit_free(u);
    }
    add_row("error paths", "bad k, n = 0, unsorted support", "-", "-", "-", ok ? "" : ispasp_cuda_last_error(), ok);
}

// ------------------------------------------------------------------ 3x3 band sums
void check_band_sums(std::mt19937_64& rng) {
    std::uniform_real_distribution<float> u(0.f, 1.f);
    const int shapes[][4] = {{3, 5, 4, 4}, {2, 7, 9, 6}, {4, 33, 16, 16}};
    for (const auto& sh : shapes) {
        const int images = sh[0], channels = sh[1], height = sh[2], width = sh[3];
        vector<float> h((size_t)images * channels * height * width);
        for (float& v : h) v = u(rng);
        vector<double> ref((size_t)channels * 25, 0.0), cpu(ref), gpu(ref);
        auto band = [](int i, int size) { return i < 2 ? i : i >= size - 2 ? 3 + (i - (size - 2)) : 2; };
        for (int img = 0; img < images; ++img)
            for (int c = 0; c < channels; ++c)
                for (int y = 0; y < height; ++y)
                    for (int x = 0; x < width; ++x)
                        ref[(size_t)c * 25 + 5 * band(y, height) + band(x, width)] +=
                            h[(((size_t)img * channels + c) * height + y) * width + x];
        int rc = ispasp_cuda_band_sums(h.data(), images, channels, height, width, gpu.data());
        ispasp_cpu_band_sums(h.data(), images, channels, height, width, cpu.data());
        const string shape = fmt("%d x %d x %d x %d", images, channels, height, width);
        if (rc != 0) {
            add_row("band_sums (3x3)", shape, "-", "-", "-", string("cuda: ") + ispasp_cuda_last_error(), false);
            continue;
        }
        const double e = rel_err(gpu, ref), same = rel_err(gpu, cpu);
        add_row("band_sums (3x3)", shape, fmt("%.1e", e), same < 1e-9 ? "yes" : "NO", "-", "", e < 1e-9 && same < 1e-9);
    }
}

// ------------------------------------------------------------------ timings
void timings(std::mt19937_64& rng, bool quick) {
    double f32peak = 0, f64peak = 0, bw = 0;
    ispasp_cuda_bench_props(&f32peak, &f64peak, &bw);
    {
        const int n = 4096, rows = 4096;
        double ms = 0;
        if (ispasp_cuda_bench_gram(n, rows, 15, &ms) == 0) {
            const double full = 2.0 * n * (double)n * rows / (ms * 1e-3) / 1e12;
            add_row("Gram kernel (fp32)", "rows 4096, n 4096", "-", "-", ms_str(ms),
                    fmt("fp32 peak %.1f TFLOPS; equivalent full-SGEMM rate %.1f TFLOPS (%.0f%% of peak); executed "
                        "(upper tiles, 528/1024) %.1f TFLOPS (%.0f%% of peak)",
                        f32peak, full, 100 * full / f32peak, full * 33 / 64, 100 * full * 33 / 64 / f32peak),
                    true);
        } else {
            add_row("Gram kernel (fp32)", "rows 4096, n 4096", "-", "-", "-", ispasp_cuda_last_error(), false);
        }
    }
    for (int f64 = 0; f64 < 2; ++f64)
        for (int64_t n : {int64_t(1) << 20, int64_t(1) << 24, int64_t(100000000)}) {
            double ms = 0;
            const int64_t k = n / 100;
            if (ispasp_cuda_bench_topk(n, k, f64, 15, &ms) == 0)
                add_row(f64 ? "topk_f64 (device)" : "topk_f32 (device)", fmt("n %lld, k %lld", (long long)n, (long long)k),
                        "-", "-", ms_str(ms), fmt("%.0f GB/s of input per ms-time", n * (f64 ? 8.0 : 4.0) / (ms * 1e-3) / 1e9), true);
            else
                add_row("topk (device)", fmt("n %lld", (long long)n), "-", "-", "-", ispasp_cuda_last_error(), false);
        }
    {  // host-to-host top-k of 1M floats including copies
        vector<float> x(1 << 20);
        std::normal_distribution<float> nd(0, 1);
        for (auto& v : x) v = nd(rng);
        vector<int64_t> o(x.size() / 100);
        const double g = host_ms([&] { ispasp_cuda_topk_f32(x.data(), (int64_t)x.size(), (int64_t)o.size(), o.data()); }, 10);
        const double c = host_ms([&] { ispasp_cpu_topk_f32(x.data(), (int64_t)x.size(), (int64_t)o.size(), o.data()); }, 10);
        add_row("topk_f32 (host API)", "n 1048576, k 10485", "-", "-", ms_str(g), fmt("incl. copies; CPU twin %s", ms_str(c).c_str()), true);
    }
    // Whole pipeline at n = 4096 over 60000 rows: statistics + set-up + T = 20 loop, GPU vs CPU twin.
    const int n = 4096, out = 512, keep = 410, T = 20;
    const int64_t rows = 60000, batch = 4000;
    vector<float> h = random_h(rng, batch, n, 0);  // the same batch streamed 15 times (content is irrelevant here)
    vector<double> W((size_t)out * n);
    std::normal_distribution<double> nd(0, 1.0 / 64);
    for (auto& v : W) v = nd(rng);
    vector<double> a(n), G((size_t)n * n);
    double g_stats = 0, g_setup = 0, g_loop = 0;
    auto t0 = Clock::now();
    ispasp_stats* st = ispasp_cuda_stats_new(n, 1);
    bool ok = st != nullptr;
    for (int64_t r = 0; ok && r < rows; r += batch) ok = ispasp_cuda_stats_add(st, h.data(), batch) == 0;
    ok = ok && ispasp_cuda_stats_get(st, a.data(), G.data()) == 0;
    if (st) ispasp_cuda_stats_free(st);
    auto t1 = Clock::now();
    ispasp_unit* u = ok ? ispasp_cuda_unit_new(n, out, G.data(), a.data(), W.data(), nullptr, nullptr, nullptr, 0,
                                               ISPASP_SCORE_SIGNED_SUM)
                        : nullptr;
    auto t2 = Clock::now();
    vector<int32_t> S(keep);
    vector<double> tr(T);
    int run = u ? ispasp_cuda_unit_run(u, keep, T, 0, S.data(), tr.data()) : -1;
    auto t3 = Clock::now();
    g_stats = std::chrono::duration<double, std::milli>(t1 - t0).count();
    g_setup = std::chrono::duration<double, std::milli>(t2 - t1).count();
    g_loop = std::chrono::duration<double, std::milli>(t3 - t2).count();
    if (!u || run != T) {
        add_row("pipeline", "n 4096, 60000 rows", "-", "-", "-", string("cuda: ") + ispasp_cuda_last_error(), false);
        if (u) ispasp_cuda_unit_free(u);
        return;
    }
    for (int score = 0; score < 3; ++score) {
        ispasp_unit* v = score == 0 ? u
                                    : ispasp_cuda_unit_new(n, out, G.data(), a.data(), W.data(), nullptr, nullptr,
                                                           nullptr, 0, score);
        if (!v) {
            add_row("unit_run (device)", fmt("n 4096, keep 410, T 20, %s", score_name(score)), "-", "-", "-",
                    ispasp_cuda_last_error(), false);
            continue;
        }
        double ms = 0, ems = 0;
        const int rc = ispasp_cuda_bench_run(v, keep, T, 0, 10, &ms);
        const int rc2 = ispasp_cuda_bench_evaluate(v, S.data(), keep, 10, &ems);
        add_row("unit_run (device)", fmt("n 4096, out 512, keep 410, T 20, %s", score_name(score)), "-", "-",
                rc == 0 ? ms_str(ms) : "-",
                rc == 0 ? fmt("one evaluate (s 410): %s", ms_str(ems).c_str()) : ispasp_cuda_last_error(), rc == 0 && rc2 == 0);
        if (v != u) ispasp_cuda_unit_free(v);
    }
    {
        // a 3x3 unit of 256 channels: 2304 patch features, loop over the channels (correlation and Q scores)
        const int taps = 9, groups = 256, f = taps * groups, gkeep = 128, gout = 256;
        vector<float> hp = random_h(rng, 4000, f, 0);
        vector<double> pa(f), pG((size_t)f * f), pW((size_t)gout * f), gmass(groups, 0.0), q((size_t)groups * groups);
        for (auto& v : pW) v = nd(rng);
        for (auto& v : q) v = nd(rng);
        ispasp_stats* ps = ispasp_cuda_stats_new(f, 1);
        bool pok = ps && ispasp_cuda_stats_add(ps, hp.data(), 4000) == 0 && ispasp_cuda_stats_get(ps, pa.data(), pG.data()) == 0;
        if (ps) ispasp_cuda_stats_free(ps);
        for (int i = 0; i < f; ++i) gmass[i / taps] += pa[i];
        ispasp_unit* pu = pok ? ispasp_cuda_unit_new(f, gout, pG.data(), pa.data(), pW.data(), nullptr, nullptr, nullptr,
                                                     0, ISPASP_SCORE_CORRELATION)
                              : nullptr;
        for (int with_q = 0; with_q < 2; ++with_q) {
            double ms = 0;
            const int rc = pu ? ispasp_cuda_bench_run_groups(pu, taps, gmass.data(), with_q ? q.data() : nullptr, gkeep, T, 0,
                                                             10, &ms)
                              : -1;
            add_row("unit_run_groups (device)",
                    fmt("3x3 unit: 256 channels (2304 features), out 256, keep 128, T 20, %s",
                        with_q ? "Q scores" : "correlation summed"),
                    "-", "-", rc == 0 ? ms_str(ms) : "-", rc == 0 ? "" : ispasp_cuda_last_error(), rc == 0);
        }
        if (pu) ispasp_cuda_unit_free(pu);
    }
    string notes = fmt("GPU: stats %.0f ms, set-up %.0f ms, loop %.1f ms (host wall, incl. copies)", g_stats, g_setup, g_loop);
    bool match = true;
    if (!quick) {
        auto c0 = Clock::now();
        ispasp_stats* cs = ispasp_cpu_stats_new(n, 1);
        for (int64_t r = 0; cs && r < rows; r += batch) ispasp_cpu_stats_add(cs, h.data(), batch);
        vector<double> ca(n), cG((size_t)n * n);
        if (cs) ispasp_cpu_stats_get(cs, ca.data(), cG.data()), ispasp_cpu_stats_free(cs);
        auto c1 = Clock::now();
        // the CPU loop runs on the GPU's statistics so both loops see the same input
        ispasp_unit* cu = ispasp_cpu_unit_new(n, out, G.data(), a.data(), W.data(), nullptr, nullptr, nullptr, 0,
                                              ISPASP_SCORE_SIGNED_SUM);
        auto c2 = Clock::now();
        vector<int32_t> cS(keep);
        vector<double> ct(T);
        const int crun = cu ? ispasp_cpu_unit_run(cu, keep, T, 0, cS.data(), ct.data()) : -1;
        auto c3 = Clock::now();
        if (cu) ispasp_cpu_unit_free(cu);
        match = crun == run && cS == S;
        notes += fmt("; CPU twin: stats %.0f ms, set-up %.0f ms, loop %.1f ms",
                     std::chrono::duration<double, std::milli>(c1 - c0).count(),
                     std::chrono::duration<double, std::milli>(c2 - c1).count(),
                     std::chrono::duration<double, std::milli>(c3 - c2).count());
        notes += fmt("; Gamma rel diff GPU vs CPU %.1e", rel_err(G.data(), cG.data(), cG.data(), G.size()));
    }
    ispasp_cuda_unit_free(u);
    add_row("pipeline (signed-sum)", "n 4096, out 512, 60000 rows (15 x 4000), keep 410, T 20", "-",
            quick ? "-" : (match ? "yes" : "NO"), ms_str(g_stats + g_setup + g_loop), notes, match);
}

}  // namespace

int main(int argc, char** argv) {
    string out_path;
    bool require = false, quick = false, units_only = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out_path = argv[++i];
        else if (!std::strcmp(argv[i], "--require-gpu")) require = true;
        else if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--small")) g_small = true;
        else if (!std::strcmp(argv[i], "--units-only")) units_only = true;
        else if (!std::strcmp(argv[i], "--only-n") && i + 1 < argc) g_only_n = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: %s [--out FILE] [--require-gpu] [--quick] [--small] [--units-only] [--only-n N]\n", argv[0]);
            return 2;
        }
    }
    const int count = ispasp_cuda_device_count();
    if (count <= 0) {
        std::printf("SKIP: %s\n", count < 0 ? ispasp_cuda_last_error() : "no CUDA device with compute capability >= 8.0");
        return require ? 1 : 0;
    }
    char name[256] = "?";
    ispasp_cuda_device_name(name, sizeof name);
    std::printf("device: %s\n", name);
    std::mt19937_64 rng(20240611);
    if (!units_only) {
        check_errors();
        check_stats(rng);
        check_topk<float>(rng);
        check_topk<double>(rng);
    }
    check_units(rng);
    if (!units_only) check_band_sums(rng);
    if (!g_small) timings(rng, quick);
    if (!out_path.empty()) {
        FILE* f = std::fopen(out_path.c_str(), "w");
        if (!f) {
            std::fprintf(stderr, "cannot write %s\n", out_path.c_str());
            return 1;
        }
        std::fprintf(f, "# ispasp CUDA backend check\n\nDevice: %s\n\nResult: %s\n\n", name, g_fail ? "FAIL" : "PASS");
        std::fprintf(f, "| kernel | shape | max rel err vs fp64 | matches CPU twin | median time | notes |\n");
        std::fprintf(f, "|---|---|---|---|---|---|\n");
        for (const Row& r : g_rows)
            std::fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", r.kernel.c_str(), r.shape.c_str(), r.err.c_str(),
                         r.match.c_str(), r.time.c_str(), r.notes.c_str());
        std::fclose(f);
    }
    std::printf("%s\n", g_fail ? "FAIL" : "PASS");
    return g_fail ? 1 : 0;
}
