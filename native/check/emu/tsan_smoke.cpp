// Tiny driver for the ThreadSanitizer run of the emulated CUDA backend (see run.sh).
#include "ispasp/kernels.h"
#include <cstdio>
#include <random>
#include <vector>
int main() {
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0, 1);
    int n = 129, rows = 40;
    std::vector<float> h((size_t)rows * n);
    for (auto& v : h) v = nd(rng);
    ispasp_stats* st = ispasp_cuda_stats_new(n, 1);
    ispasp_cuda_stats_add(st, h.data(), rows);
    std::vector<double> a(n), G((size_t)n * n);
    ispasp_cuda_stats_get(st, a.data(), G.data());
    ispasp_cuda_stats_free(st);
    std::vector<float> x(4100);
    for (auto& v : x) v = (float)(int)(nd(rng) * 2);
    std::vector<int64_t> o(2000);
    int r = ispasp_cuda_topk_f32(x.data(), (int64_t)x.size(), 2000, o.data());
    std::printf("topk %d\n", r);
    int out = 7;
    std::vector<double> W((size_t)out * n);
    for (auto& v : W) v = nd(rng);
    for (int score = 0; score < 3; ++score) {
        ispasp_unit* u = ispasp_cuda_unit_new(n, out, G.data(), a.data(), W.data(), nullptr, nullptr, nullptr, 0, score);
        std::vector<int32_t> S(13);
        std::vector<double> tr(3);
        int run = ispasp_cuda_unit_run(u, 13, 3, 1, S.data(), tr.data());
        std::vector<uint8_t> k(2 * n, 1);
        std::vector<double> res(2);
        ispasp_cuda_unit_residuals(u, k.data(), 2, res.data());
        std::printf("score %d run %d r %g\n", score, run, tr[run - 1]);
        ispasp_cuda_unit_free(u);
    }
}
