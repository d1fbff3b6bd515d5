package io.ispasp.runtime.buffer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/** JNI declarations of native/runtime/ispasp_output_buffer.hpp: a C++ output stream into memory. */
@Platform(include = "ispasp_output_buffer.hpp", compiler = "cpp17")
public final class OutputBufferLib {
    static {
        Loader.load();
    }

    private OutputBufferLib() {}

    @Opaque @Name("ispasp_output_buffer")
    public static final class Buffer extends Pointer {
        public Buffer() { super((Pointer) null); }
        public Buffer(Pointer p) { super(p); }
    }

    public static native Buffer ispasp_output_buffer_new();
    public static native @Cast("std::ostream*") Pointer ispasp_output_buffer_stream(Buffer b);
    public static native long ispasp_output_buffer_size(Buffer b);
    public static native @Cast("const char*") BytePointer ispasp_output_buffer_data(Buffer b);
    public static native void ispasp_output_buffer_free(Buffer b);
}
