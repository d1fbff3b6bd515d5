// Top-k by radix select on order-preserving integer keys, the CPU twin of the CUDA top-k.
// The rule: larger value first, equal values by lower index, NaN below every number. The chosen indices come
// out in ascending index order, so the result is a set with one canonical form on every backend.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ispasp {

// Monotone maps float/double -> unsigned: a > b  <=>  key(a) > key(b); -0.0 and 0.0 share a key; every NaN
// maps to 0, below -inf. Negative numbers have all bits flipped, non-negative ones get the sign bit set.
inline uint32_t order_key(float v) {
    uint32_t u;
    v += 0.0f;  // -0.0 + 0.0 = +0.0
    std::memcpy(&u, &v, 4);
    uint32_t key = u ^ (uint32_t(int32_t(u) >> 31) | 0x80000000u);
    return (u & 0x7fffffffu) > 0x7f800000u ? 0u : key;
}
inline uint64_t order_key(double v) {
    uint64_t u;
    v += 0.0;
    std::memcpy(&u, &v, 8);
    uint64_t key = u ^ (uint64_t(int64_t(u) >> 63) | 0x8000000000000000ull);
    return (u & 0x7fffffffffffffffull) > 0x7ff0000000000000ull ? 0ull : key;
}

// Writes the k chosen indices of x[0..n) (ascending) into out. 0 <= k <= n.
template <class T>
void topk(const T* x, int64_t n, int64_t k, int64_t* out) {
    using K = decltype(order_key(T()));
    if (k <= 0) return;
    if (k >= n) {
        for (int64_t i = 0; i < n; i++) out[i] = i;
        return;
    }
    constexpr int BITS = 11, BINS = 1 << BITS, KEYBITS = 8 * sizeof(K);
    // Find the k-th largest key t, digit by digit from the top: `prefix` holds the digits fixed so far,
    // `need` how many of the remaining candidates (keys with that prefix) must still be taken.
    K prefix = 0;
    int64_t need = k;
    std::vector<K> cand;          // keys sharing the current prefix, after the first pass
    std::vector<int64_t> hist(BINS);
    // the key buffer is kept per thread: a fresh one per call costs more in page faults than the selection
    static thread_local std::vector<K> keys;
    keys.resize(static_cast<size_t>(n));
    K* kp = keys.data();   // a plain pointer: going through the thread_local in the loops costs a TLS lookup each time
    for (int64_t i = 0; i < n; i++) kp[i] = order_key(x[i]);
    bool first = true;
    for (int shift = KEYBITS - BITS; ; shift -= BITS) {
        int s = shift < 0 ? 0 : shift;
        int width = shift < 0 ? BITS + shift : BITS;
        K digit_mask = (K(1) << width) - 1;
        std::fill(hist.begin(), hist.end(), 0);
        if (first) {
            for (int64_t i = 0; i < n; i++) hist[(kp[i] >> s) & digit_mask]++;
        } else {
            for (K key : cand) hist[(key >> s) & digit_mask]++;
        }
        // the digit d at which the running count from the top reaches `need`
        int64_t above = 0;
        int d = int(digit_mask);
        for (; d > 0 && above + hist[d] < need; d--) above += hist[d];
        need -= above;
        prefix |= K(d) << s;
        K high_mask = ~((K(1) << s) - 1);
        if (s == 0) break;
        // keep only the keys that share the fixed digits
        std::vector<K> next;
        if (first) {
            next.reserve(size_t(hist[d]));
            for (int64_t i = 0; i < n; i++) {
                if ((kp[i] & high_mask) == prefix) next.push_back(kp[i]);
            }
        } else {
            for (K key : cand) if ((key & high_mask) == prefix) next.push_back(key);
        }
        cand.swap(next);
        first = false;
        if (int64_t(cand.size()) == need) {
            // every candidate is taken: the threshold is the smallest of them
            K least = cand[0];
            for (K key : cand) least = key < least ? key : least;
            prefix = least;
            need = 0;
            for (K key : cand) need += key == least;
            break;
        }
    }
    // prefix is now the threshold key t: take every key > t, and the first `need` keys == t by index.
    K t = prefix;
    int64_t taken = 0;
    for (int64_t i = 0; i < n && taken < k; i++) {
        K key = kp[i];
        if (key > t) out[taken++] = i;
        else if (key == t && need > 0) { out[taken++] = i; need--; }
    }
    if (keys.capacity() > (size_t(1) << 22)) std::vector<K>().swap(keys);  // keep at most 4M keys per thread
}

}  // namespace ispasp
