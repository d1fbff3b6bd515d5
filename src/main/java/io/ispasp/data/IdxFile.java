package io.ispasp.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * One file in the "idx" format used by MNIST: a big-endian magic number {@code 0x0000TTDD} (TT = element type,
 * DD = number of dimensions), DD big-endian int32 sizes, then the elements in row-major order. Only unsigned
 * bytes (type {@code 0x08}) with 1 or 3 dimensions are supported, which covers the label and image files.
 * Files may be plain or gzip-compressed; compression is detected from the content, not the name.
 */
public final class IdxFile {
    /** Element type code for unsigned bytes. */
    static final int TYPE_UBYTE = 0x08;
    /** Largest payload we accept: the longest Java byte array, with some headroom. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8L;

    private final int[] dims;
    private final byte[] data;

    private IdxFile(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws IOException with a one-line message naming the file, when it is missing, unreadable, has an
     *         unsupported magic number or bad dimensions, or its payload is truncated or followed by extra bytes
     */
    public static IdxFile read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * As {@link #read(Path)}, for a file that must have {@code expectedRank} dimensions (1: labels, 3: images; 0: either);
     * a file of the other kind is named as such from its magic number, before its payload is read.
     */
    public static IdxFile read(Path file, int expectedRank) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("idx file not found: " + file);
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "magic number");
            int type = (magic >>> 8) & 0xff;
            int rank = magic & 0xff;
            if ((magic >>> 16) != 0 || type != TYPE_UBYTE || (rank != 1 && rank != 3)) {
                throw new IOException(String.format(
                        "%s: bad idx magic number 0x%08x (expected 0x00000801 or 0x00000803)", file, magic));
            }
            if (expectedRank != 0 && rank != expectedRank) {
                throw new IOException(String.format("%s: idx magic number 0x%08x marks a file of %s, expected %s (0x%08x)", file, magic,
                        kind(rank), kind(expectedRank), 0x800 | expectedRank));
            }
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = readInt(in, file, "dimension " + i);
                if (dims[i] <= 0) throw new IOException(file + ": dimension " + i + " is " + dims[i] + ", must be > 0");
                count *= dims[i];
                // Checked per step so the product cannot overflow a long before we notice.
                if (count > MAX_ELEMENTS) {
                    throw new IOException(file + ": dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                            + " hold too many elements");
                }
            }
            byte[] data = in.readNBytes((int) count);
            if (data.length < count) {
                throw new IOException(file + ": truncated payload, " + data.length + " of " + count + " bytes for dims "
                        + Arrays.toString(dims));
            }
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after the " + count + "-byte payload for dims "
                        + Arrays.toString(dims));
            }
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            // Raised by GZIPInputStream on a cut-off gzip stream.
            throw new IOException(file + ": truncated gzip stream", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    private static String kind(int rank) {
        return rank == 1 ? "labels (1-D)" : "images (3-D)";
    }

    /** Opens {@code file}, transparently decompressing it when it starts with the gzip magic 0x1f8b. */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        return in;
    }

    private static int readInt(InputStream in, Path file, String what) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) throw new IOException(file + ": truncated header, cannot read " + what);
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Number of dimensions (1 or 3). */
    public int rank() { return dims.length; }

    /** Size of dimension {@code i}. */
    public int dim(int i) { return dims[i]; }

    /** All dimension sizes (a copy). */
    public int[] dims() { return dims.clone(); }

    /** Number of elements (the product of the dimensions). */
    public int size() { return data.length; }

    /** Element {@code i} in row-major order, as an unsigned value 0..255. */
    public int get(int i) { return data[i] & 0xff; }
}
