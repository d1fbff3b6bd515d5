package io.ispasp.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import io.ispasp.io.AtomicFiles;
import io.ispasp.runtime.TorchRuntime;

/**
 * The engine's own MLP checkpoint: magic {@code ISPASPM1}, the layer sizes, every weight then bias as
 * big-endian float32, and a CRC32 of everything before it, so truncation and corruption are detected.
 */
public final class MlpCheckpoint {
    private static final long MAGIC = 0x495350415350_4D31L; // "ISPASPM1"
    private static final int MAX_LAYERS = 1024;
    private static final int MAX_WIDTH = 1 << 24;

    private MlpCheckpoint() {}

    public static void save(Mlp model, Path file) throws IOException {
        TorchRuntime.init();
        AtomicFiles.write(file, raw -> {
            CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw), new CRC32());
            DataOutputStream out = new DataOutputStream(checked);
            out.writeLong(MAGIC);
            int[] sizes = model.sizes();
            out.writeInt(sizes.length);
            for (int s : sizes) out.writeInt(s);
            for (int l = 0; l < model.layers(); l++) {
                for (float v : model.weightArray(l)) out.writeFloat(v);
                for (float v : model.biasArray(l)) out.writeFloat(v);
            }
            out.flush();
            long crc = checked.getChecksum().getValue();
            out.writeLong(crc);
            out.flush();
        });
    }

    public static Mlp load(Path file) throws IOException {
        TorchRuntime.init();
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readLong() != MAGIC) throw new IOException(file + " is not an ispasp MLP checkpoint (bad magic)");
            int n = in.readInt();
            if (n < 2 || n > MAX_LAYERS) throw new IOException(file + ": corrupt checkpoint (layer count " + n + ")");
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = in.readInt();
                if (sizes[i] <= 0 || sizes[i] > MAX_WIDTH) throw new IOException(file + ": corrupt checkpoint (width " + sizes[i] + ")");
            }
            checkLength(file, sizes);
            List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
            for (int l = 0; l + 1 < n; l++) {
                w.add(readFloats(in, sizes[l] * sizes[l + 1]));
                b.add(readFloats(in, sizes[l + 1]));
            }
            long expected = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (stored != expected) throw new IOException(file + ": corrupt checkpoint (checksum mismatch)");
            if (in.read() != -1) throw new IOException(file + ": corrupt checkpoint (trailing bytes)");
            return new Mlp(sizes, w, b);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Compares the length the header promises with the file's, before any array is allocated, so a corrupt
     * header gives a clear error instead of an overflow or an out-of-memory error.
     */
    private static void checkLength(Path file, int[] sizes) throws IOException {
        long floats = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            long layer = (long) sizes[l] * sizes[l + 1];
            if (layer > Integer.MAX_VALUE - 8) throw new IOException(file + ": corrupt checkpoint (layer " + l + " too large)");
            floats += layer + sizes[l + 1];
        }
        long expected = 8 + 4 + 4L * sizes.length + 4 * floats + 8;
        long actual = Files.size(file);
        if (actual < expected) throw new IOException(file + ": truncated checkpoint (" + actual + " of " + expected + " bytes)");
        if (actual > expected) throw new IOException(file + ": corrupt checkpoint (trailing bytes: " + actual + " bytes, expected " + expected + ")");
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = in.readFloat();
        return a;
    }
}
