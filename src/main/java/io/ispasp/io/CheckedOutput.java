package io.ispasp.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Little-endian binary output with a running CRC32 of every byte written. Bulk float and long data are copied
 * from (typically native, tensor-backed) buffers in chunks of {@link #CHUNK} bytes, so a large tensor costs a few
 * memory copies, not one call per value.
 */
public final class CheckedOutput {
    /** Buffer size: large enough that bulk data goes out in few writes. */
    static final int CHUNK = 1 << 20;

    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32 crc = new CRC32();
    private long written;

    public CheckedOutput(OutputStream out) { this.out = out; }

    public CheckedOutput putByte(int v) throws IOException { room(1).put((byte) v); return this; }

    public CheckedOutput putInt(int v) throws IOException { room(4).putInt(v); return this; }

    public CheckedOutput putLong(long v) throws IOException { room(8).putLong(v); return this; }

    public CheckedOutput putDouble(double v) throws IOException { room(8).putDouble(v); return this; }

    /** Raw bytes (at most {@link #CHUNK}). */
    public CheckedOutput putBytes(byte[] b) throws IOException { room(b.length).put(b); return this; }

    /** A string as its UTF-8 length (unsigned 16 bits) and bytes. */
    public CheckedOutput putString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) throw new IllegalArgumentException("string of " + b.length + " bytes is too long");
        room(2).putShort((short) b.length);
        return putBytes(b);
    }

    /** Every remaining value of {@code src} (its position advances to its limit). */
    public CheckedOutput putFloats(FloatBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), Math.max(1, buf.remaining() / Float.BYTES));
            room(n * Float.BYTES);
            FloatBuffer part = src.slice().limit(n);
            buf.asFloatBuffer().put(part); // bulk copy, byte-swapped by the JDK where the orders differ
            buf.position(buf.position() + n * Float.BYTES);
            src.position(src.position() + n);
        }
        return this;
    }

    /** Every remaining value of {@code src} (its position advances to its limit). */
    public CheckedOutput putLongs(LongBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), Math.max(1, buf.remaining() / Long.BYTES));
            room(n * Long.BYTES);
            buf.asLongBuffer().put(src.slice().limit(n));
            buf.position(buf.position() + n * Long.BYTES);
            src.position(src.position() + n);
        }
        return this;
    }

    /** Hands the buffered bytes to the stream (and the checksum). */
    public void flush() throws IOException {
        if (buf.position() > 0) {
            crc.update(buf.array(), 0, buf.position());
            out.write(buf.array(), 0, buf.position());
            written += buf.position();
            buf.clear();
        }
        out.flush();
    }

    /** CRC32 of every byte written so far. */
    public long checksum() throws IOException {
        flush();
        return crc.getValue();
    }

    /** Bytes written so far. */
    public long written() throws IOException {
        flush();
        return written;
    }

    /** Writes the CRC32 of everything before it as an unsigned 32-bit value and flushes. */
    public void finishWithChecksum() throws IOException {
        putInt((int) checksum());
        flush();
    }

    private ByteBuffer room(int n) throws IOException {
        if (n > CHUNK) throw new IllegalArgumentException(n + " bytes do not fit one chunk");
        if (buf.remaining() < n) flush();
        return buf;
    }
}
