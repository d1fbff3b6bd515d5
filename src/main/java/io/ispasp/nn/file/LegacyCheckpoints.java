package io.ispasp.nn.file;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

import io.ispasp.engine.Tensors;
import io.ispasp.io.CheckedInput;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Readers of the engine's two earlier checkpoint formats, parsed here on their own (their classes will go):
 * <ul>
 *   <li>{@code ISPASPM1}, the MLP checkpoint, big-endian: magic, i32 layer count n, n x i32 sizes, then per layer
 *       the weight [out, in] and the bias as float32, then a CRC32 of everything before it as i64. It records no
 *       leading Flatten, so it becomes a ReLU {@link Mlp} with Linear layers at children 0, 2, 4, ...</li>
 *   <li>{@code ISPASPC1}, the conv-net checkpoint, little-endian: magic, the architecture name ({@code resnet18},
 *       {@code resnet34}, {@code mobilenetv2}), a u8 CIFAR flag, i32 classes, f64 width, i32 unit count and the
 *       units' inner widths (which the tensors repeat), then the tensors exactly as in {@link NetworkCheckpoint},
 *       and a u32 CRC32. The names are already torchvision's.</li>
 * </ul>
 */
final class LegacyCheckpoints {
    static final byte[] MLP_MAGIC = "ISPASPM1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CONV_MAGIC = "ISPASPC1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LAYERS = 1024;
    private static final int MAX_WIDTH = 1 << 24;
    private static final int MAX_UNITS = 1024;
    private static final int MAX_CLASSES = 1 << 24;

    private LegacyCheckpoints() {}

    static Network loadMlp(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file)); PointerScope scope = new PointerScope()) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            in.readLong(); // the magic, checked by the caller
            int n = in.readInt();
            if (n < 2 || n > MAX_LAYERS) throw corrupt(file, "layer count " + n);
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = in.readInt();
                if (sizes[i] <= 0 || sizes[i] > MAX_WIDTH) throw corrupt(file, "width " + sizes[i]);
            }
            checkMlpLength(file, sizes);
            Mlp arch = Mlp.relu(sizes);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int l = 0; l + 1 < n; l++) {
                String m = String.valueOf(arch.linearIndex(l));
                tensors.put(m + ".weight", Tensors.of(readFloats(in, sizes[l] * sizes[l + 1]), sizes[l + 1], sizes[l]));
                tensors.put(m + ".bias", Tensors.of(readFloats(in, sizes[l + 1]), sizes[l + 1]));
            }
            long expected = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (stored != expected) throw corrupt(file, "checksum mismatch");
            if (in.read() != -1) throw corrupt(file, "trailing bytes");
            return Network.fromState(arch, tensors);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    /** The length the header promises against the file's, before any array is allocated. */
    private static void checkMlpLength(Path file, int[] sizes) throws IOException {
        long floats = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            long layer = (long) sizes[l] * sizes[l + 1];
            if (layer > Integer.MAX_VALUE - 8) throw corrupt(file, "layer " + l + " too large");
            floats += layer + sizes[l + 1];
        }
        long expected = 8 + 4 + 4L * sizes.length + 4 * floats + 8;
        long actual = Files.size(file);
        if (actual < expected) throw new IOException(file + ": truncated checkpoint (" + actual + " of " + expected + " bytes)");
        if (actual > expected) throw corrupt(file, "trailing bytes: " + actual + " bytes, expected " + expected);
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = in.readFloat();
        return a;
    }

    static Network loadConv(Path file) throws IOException {
        long size = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             PointerScope scope = new PointerScope()) { // frees the read tensors; fromState keeps copies
            CheckedInput in = new CheckedInput(channel);
            in.getBytes(CONV_MAGIC.length);
            String name = NetworkCheckpoint.readName(in, file, "architecture name");
            int cifar = in.getByte();
            int classes = in.getInt();
            double width = in.getDouble();
            int units = in.getInt();
            if (cifar > 1) throw corrupt(file, "form flag " + cifar);
            if (classes < 1 || classes > MAX_CLASSES) throw corrupt(file, "class count " + classes);
            if (units < 1 || units > MAX_UNITS) throw corrupt(file, "unit count " + units);
            for (int u = 0; u < units; u++) in.getInt(); // the inner widths: the tensors' shapes say the same
            Architecture arch = convArchitecture(file, name, cifar == 1, width, classes);
            return NetworkCheckpoint.finish(in, file, size, arch);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    private static Architecture convArchitecture(Path file, String name, boolean cifar, double width, int classes) throws IOException {
        String n = switch (name) {
            case "resnet18", "resnet34" -> name;
            case "mobilenetv2" -> "mobilenet_v2";
            default -> throw corrupt(file, "architecture '" + name + "' (expected resnet18, resnet34 or mobilenetv2)");
        };
        try {
            return Architectures.image(n, cifar, width, classes);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, e.getMessage());
        }
    }

    private static IOException corrupt(Path file, String what) {
        return NetworkCheckpoint.corrupt(file, what);
    }
}
