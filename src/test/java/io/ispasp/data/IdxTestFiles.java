package io.ispasp.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small idx files for tests. */
final class IdxTestFiles {
    private IdxTestFiles() {}

    /** Raw idx bytes: big-endian {@code magic}, each dim, then {@code payload} verbatim (no consistency checks). */
    static byte[] bytes(int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(payload);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static Path write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return file;
    }

    /** Unsigned byte values 0..255 as a payload. */
    static byte[] ubytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** Writes an images file (n x rows x cols) and a labels file for one split into {@code dir}. */
    static void writeSplit(Path dir, boolean train, int rows, int cols, byte[] pixels, byte[] labels, boolean gz)
            throws IOException {
        String[] names = Mnist.fileNames(train);
        int n = labels.length;
        byte[] img = bytes(0x803, new int[] {pixels.length / (rows * cols), rows, cols}, pixels);
        byte[] lab = bytes(0x801, new int[] {n}, labels);
        String suffix = gz ? ".gz" : "";
        write(dir.resolve(names[0] + suffix), gz ? gzip(img) : img);
        write(dir.resolve(names[1] + suffix), gz ? gzip(lab) : lab);
    }
}
