package io.ispasp.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import io.ispasp.runtime.buffer.OutputBufferLib;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A C++ {@code std::ostream} into native memory, for libtorch writers that take one. libtorch's own file writer
 * throws from a destructor when a write fails (a full disk), which aborts the JVM; filled in memory, the bytes go
 * to the file through Java, where a failure is an ordinary {@link IOException}.
 */
public final class MemoryOutputStream implements AutoCloseable {
    private static final int CHUNK = 1 << 24;
    private OutputBufferLib.Buffer buffer;

    public MemoryOutputStream() {
        TorchRuntime.init();
        buffer = OutputBufferLib.ispasp_output_buffer_new();
        if (buffer == null || buffer.isNull()) throw new OutOfMemoryError("cannot allocate a native output buffer");
    }

    /** The {@code std::ostream*} to hand to a native writer. */
    public Pointer stream() {
        return OutputBufferLib.ispasp_output_buffer_stream(open());
    }

    /** Copies everything written so far to {@code out}. */
    public void copyTo(OutputStream out) throws IOException {
        long size = OutputBufferLib.ispasp_output_buffer_size(open());
        if (size < 0) throw new IOException("the native writer ran out of memory");
        BytePointer data = OutputBufferLib.ispasp_output_buffer_data(buffer);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, size))];
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            ByteBuffer view = data.position(off).limit(off + n).asByteBuffer();
            view.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private OutputBufferLib.Buffer open() {
        if (buffer == null) throw new IllegalStateException("the output buffer was closed");
        return buffer;
    }

    @Override
    public void close() {
        if (buffer != null) {
            OutputBufferLib.ispasp_output_buffer_free(buffer);
            buffer = null;
        }
    }
}
