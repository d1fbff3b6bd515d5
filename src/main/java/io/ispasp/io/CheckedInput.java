package io.ispasp.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;

/**
 * Little-endian binary input with a running CRC32 of every byte consumed: the reading twin of
 * {@link CheckedOutput}. Running out of bytes throws {@link EOFException}. Bulk data are copied into
 * (typically tensor-backed) buffers in large chunks.
 */
public final class CheckedInput {
    private final ReadableByteChannel in;
    private final ByteBuffer buf = ByteBuffer.allocate(CheckedOutput.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32 crc = new CRC32();
    private long consumed;

    public CheckedInput(ReadableByteChannel in) {
        this.in = in;
        buf.limit(0);
    }

    public int getByte() throws IOException { return take(1).get() & 0xFF; }

    public int getInt() throws IOException { return take(4).getInt(); }

    public long getLong() throws IOException { return take(8).getLong(); }

    public double getDouble() throws IOException { return take(8).getDouble(); }

    /** An unsigned 32-bit value. */
    public long getUnsignedInt() throws IOException { return getInt() & 0xFFFF_FFFFL; }

    /** {@code n} raw bytes (at most {@link CheckedOutput#CHUNK}). */
    public byte[] getBytes(int n) throws IOException {
        byte[] b = new byte[n];
        take(n).get(b);
        return b;
    }

    /** An unsigned 16-bit value (the length prefix of {@link CheckedOutput#putString}). */
    public int getUnsignedShort() throws IOException { return take(2).getShort() & 0xFFFF; }

    /** Fills the remaining space of {@code dst}. */
    public void getFloats(FloatBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), CheckedOutput.CHUNK / Float.BYTES);
            ByteBuffer src = take(n * Float.BYTES);
            dst.put(src.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().limit(n));
            src.position(src.position() + n * Float.BYTES);
        }
    }

    /** Fills the remaining space of {@code dst}. */
    public void getLongs(LongBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), CheckedOutput.CHUNK / Long.BYTES);
            ByteBuffer src = take(n * Long.BYTES);
            dst.put(src.slice().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().limit(n));
            src.position(src.position() + n * Long.BYTES);
        }
    }

    /** CRC32 of every byte consumed so far. */
    public long checksum() { return crc.getValue(); }

    /** Bytes consumed so far. */
    public long consumed() { return consumed; }

    /** True when nothing is left to read. */
    public boolean atEnd() throws IOException {
        return !buf.hasRemaining() && !fill();
    }

    /**
     * Makes {@code n} bytes available at the buffer's position and adds them to the checksum; the caller reads
     * exactly {@code n} bytes from the returned buffer.
     */
    private ByteBuffer take(int n) throws IOException {
        if (n > buf.capacity()) throw new IllegalArgumentException(n + " bytes do not fit one chunk");
        while (buf.remaining() < n) {
            if (!fill()) throw new EOFException("needed " + n + " more bytes, " + buf.remaining() + " left");
        }
        crc.update(buf.array(), buf.position(), n);
        consumed += n;
        return buf;
    }

    /** Moves unread bytes to the front and reads more; false at end of input. */
    private boolean fill() throws IOException {
        buf.compact();
        try {
            return in.read(buf) > 0;
        } finally {
            buf.flip();
        }
    }
}
