#include "cuda_runtime.h"
namespace emu {
thread_local dim3 threadIdx_, blockIdx_;
dim3 gridDim_, blockDim_;
std::barrier<>* block_bar;
Warp* warps;
std::atomic<int> sync_or_acc{0};
void launch(dim3 g, dim3 b, const std::function<void()>& body) {
    gridDim_ = g; blockDim_ = b;
    const int nt = b.x * b.y * b.z;
    for (unsigned bz = 0; bz < g.z; ++bz) for (unsigned by = 0; by < g.y; ++by) for (unsigned bx = 0; bx < g.x; ++bx) {
        std::barrier<> bb(nt);
        const int nw = (nt + 31) / 32;
        std::vector<std::unique_ptr<std::barrier<>>> wb;
        std::vector<Warp> ws(nw);
        for (int w = 0; w < nw; ++w) { wb.emplace_back(new std::barrier<>(std::min(32, nt - 32 * w))); ws[w].bar = wb.back().get(); }
        block_bar = &bb; warps = ws.data();
        std::vector<std::thread> th;
        for (int t = 0; t < nt; ++t) th.emplace_back([&, t] {
            threadIdx_ = dim3(t % b.x, (t / b.x) % b.y, t / (b.x * b.y));
            blockIdx_ = dim3(bx, by, bz);
            body();
            ws[t / 32].bar->arrive_and_drop();
            bb.arrive_and_drop();
        });
        for (auto& x : th) x.join();
    }
}
}
