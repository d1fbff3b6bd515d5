// A std::ostream over a growing byte vector, for libtorch writers that take an ostream (JitModule::save).
// Why: libtorch's file writer throws from its destructor when a write fails (a full disk), which aborts the process;
// writing to memory cannot fail that way, and Java then writes the bytes with ordinary, catchable I/O errors.
#pragma once
#include <cstddef>
#include <ostream>
#include <streambuf>
#include <vector>

namespace ispasp {

class VectorBuf : public std::streambuf {
public:
    std::vector<char> bytes;

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        try {
            bytes.insert(bytes.end(), s, s + n);
            return n;
        } catch (...) { // out of memory: a short write sets the stream's badbit
            return 0;
        }
    }

    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        try {
            bytes.push_back(traits_type::to_char_type(c));
            return c;
        } catch (...) {
            return traits_type::eof();
        }
    }
};

struct OutputBuffer {
    VectorBuf buf;
    std::ostream stream{&buf};
};

} // namespace ispasp

typedef ispasp::OutputBuffer ispasp_output_buffer;

inline ispasp_output_buffer* ispasp_output_buffer_new() {
    try {
        return new ispasp::OutputBuffer();
    } catch (...) {
        return nullptr;
    }
}

inline std::ostream* ispasp_output_buffer_stream(ispasp_output_buffer* b) { return &b->stream; }

/** -1 when a write failed (the stream's badbit), else the bytes written so far. */
inline long long ispasp_output_buffer_size(ispasp_output_buffer* b) {
    return b->stream.good() ? (long long) b->buf.bytes.size() : -1;
}

inline const char* ispasp_output_buffer_data(ispasp_output_buffer* b) { return b->buf.bytes.data(); }

inline void ispasp_output_buffer_free(ispasp_output_buffer* b) { delete b; }
