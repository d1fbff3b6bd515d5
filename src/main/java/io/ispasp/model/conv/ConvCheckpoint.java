package io.ispasp.model.conv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.ispasp.io.AtomicFiles;
import io.ispasp.io.CheckedInput;
import io.ispasp.io.CheckedOutput;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The engine's own conv-net checkpoint: the {@link ConvSpec} and every state tensor under its torchvision name.
 * All values are little-endian (the byte order of x86 and of libtorch's memory there, so tensor data are plain
 * copies):
 * <pre>
 *   magic      8 bytes  "ISPASPC1" (ASCII)
 *   arch       string   u16 byte length + ASCII: resnet18, resnet34, mobilenetv2
 *   cifar      u8       1 = CIFAR form, 0 = ImageNet form
 *   classes    i32
 *   width      f64      width multiplier
 *   units      i32      then units x i32: the inner width of each unit
 *   tensors    i32      then, per tensor, in the net's state order:
 *     name     string   u16 byte length + ASCII letters, digits, '_' and '.'
 *     dtype    u8       1 = float32, 2 = int64
 *     rank     u8       0..8
 *     shape    rank x i64
 *     data     numel x 4 (float32) or 8 (int64) bytes, row-major
 *   crc32      u32      CRC32 of every byte before it
 * </pre>
 * Files are written through a temporary file and a rename, so an existing file is never damaged. Loading checks
 * the magic, the header's values, that every tensor's declared size fits in what is left of the file before
 * allocating it, the checksum and that nothing trails it; {@link ConvNet#fromState} then checks names, shapes and
 * values. Every failure is an {@link IOException} with a one-line message that names the file.
 */
public final class ConvCheckpoint {
    private static final byte[] MAGIC = "ISPASPC1".getBytes(StandardCharsets.US_ASCII);
    /** The MLP checkpoint's magic ({@link io.ispasp.model.MlpCheckpoint}), recognised for a clearer error. */
    private static final byte[] MLP_MAGIC = "ISPASPM1".getBytes(StandardCharsets.US_ASCII);
    private static final int FLOAT32 = 1;
    private static final int INT64 = 2;
    private static final int MAX_NAME = 1024;
    private static final int MAX_RANK = 8;
    private static final int MAX_UNITS = 1024;
    private static final int MAX_TENSORS = 1 << 16;
    private static final int MAX_CLASSES = 1 << 24;
    private static final int CRC_BYTES = 4;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]+");

    private ConvCheckpoint() {}

    /**
     * Writes {@code net} to {@code file} atomically; the target's directory must exist. A net holding NaN or
     * infinite values is refused ({@link IllegalStateException}): {@link #load} could not read it back.
     */
    public static void save(ConvNet net, Path file) throws IOException {
        TorchRuntime.init();
        AtomicFiles.write(file, raw -> {
            CheckedOutput out = new CheckedOutput(raw);
            out.putBytes(MAGIC);
            writeSpec(out, net.spec());
            Map<String, Tensor> state = net.state();
            if (state.isEmpty()) throw new IllegalStateException("the net was closed; nothing to save");
            out.putInt(state.size());
            try (PointerScope scope = new PointerScope()) { // frees the contiguous handles
                for (Map.Entry<String, Tensor> e : state.entrySet()) writeTensor(out, e.getKey(), e.getValue().contiguous());
            }
            out.finishWithChecksum();
        });
    }

    /** Reads a checkpoint written by {@link #save}; the caller owns (closes) the net. */
    public static ConvNet load(Path file) throws IOException {
        TorchRuntime.init();
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        long size = Files.size(file);
        byte[] magic = peek(file);
        if (Arrays.equals(magic, MLP_MAGIC)) throw new IOException(file + " is not an ispasp conv-net checkpoint (it is an MLP checkpoint)");
        if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + " is not an ispasp conv-net checkpoint (bad magic)");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             PointerScope scope = new PointerScope()) { // frees the read tensors; fromState keeps copies
            CheckedInput in = new CheckedInput(channel);
            in.getBytes(MAGIC.length);
            ConvSpec spec = readSpec(in, file);
            int count = in.getInt();
            if (count < 1 || count > MAX_TENSORS) throw corrupt(file, "tensor count " + count);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = readString(in, file, MAX_NAME, "name of tensor " + i);
                if (tensors.put(name, readTensor(in, file, name, size)) != null) throw corrupt(file, "tensor '" + name + "' appears twice");
            }
            long expected = in.checksum();
            if (in.getUnsignedInt() != expected) throw corrupt(file, "checksum mismatch");
            if (!in.atEnd()) throw corrupt(file, "trailing bytes after the checksum");
            return ConvNet.fromState(spec, tensors);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    /** Whether {@code file} starts with this format's magic; false for a file that cannot be read. */
    public static boolean isConvCheckpoint(Path file) {
        try {
            return Arrays.equals(peek(file), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] peek(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAGIC.length);
        }
    }

    private static void writeSpec(CheckedOutput out, ConvSpec spec) throws IOException {
        out.putString(spec.arch().cliName());
        out.putByte(spec.cifar() ? 1 : 0);
        out.putInt(spec.classes());
        out.putDouble(spec.width());
        int[] inner = spec.inner();
        out.putInt(inner.length);
        for (int w : inner) out.putInt(w);
    }

    private static ConvSpec readSpec(CheckedInput in, Path file) throws IOException {
        String archName = readString(in, file, 64, "architecture name");
        int cifar = in.getByte();
        int classes = in.getInt();
        double width = in.getDouble();
        int units = in.getInt();
        if (cifar > 1) throw corrupt(file, "form flag " + cifar);
        if (classes < 1 || classes > MAX_CLASSES) throw corrupt(file, "class count " + classes);
        if (units < 1 || units > MAX_UNITS) throw corrupt(file, "unit count " + units);
        int[] inner = new int[units];
        for (int u = 0; u < units; u++) inner[u] = in.getInt();
        try {
            return new ConvSpec(Arch.parse(archName), cifar == 1, classes, width, inner);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, e.getMessage());
        }
    }

    /**
     * A name written by {@link CheckedOutput#putString}: its length is checked before it is read, and it must be
     * a plain identifier path (every torchvision name is), so a damaged one never ends up in an error message.
     */
    private static String readString(CheckedInput in, Path file, int maxBytes, String what) throws IOException {
        int n = in.getUnsignedShort();
        if (n < 1 || n > maxBytes) throw corrupt(file, what + " has " + n + " bytes");
        String s = new String(in.getBytes(n), StandardCharsets.US_ASCII);
        if (!NAME.matcher(s).matches()) throw corrupt(file, what + " is malformed");
        return s;
    }

    private static void writeTensor(CheckedOutput out, String name, Tensor t) throws IOException {
        // enums returned by libtorch are not the Java constants: intern() maps them (== would always be false)
        torch.ScalarType type = t.scalar_type().intern();
        if (type != torch.ScalarType.Float && type != torch.ScalarType.Long) {
            throw new IllegalStateException("tensor '" + name + "' is " + type + "; checkpoints hold float32 and int64");
        }
        long[] shape = t.shape();
        out.putString(name);
        out.putByte(type == torch.ScalarType.Float ? FLOAT32 : INT64);
        out.putByte(shape.length);
        for (long d : shape) out.putLong(d);
        if (t.numel() == 0) return;
        // checked here, while writing, so a failure also shows that a half-written file never replaces the target
        if (type == torch.ScalarType.Float && !t.isfinite().all().item_bool()) {
            throw new IllegalStateException("tensor '" + name + "' holds NaN or infinite values; the net was not saved");
        }
        if (type == torch.ScalarType.Float) out.putFloats(t.createBuffer());
        else out.putLongs(t.createBuffer());
    }

    /**
     * Reads one tensor's header, checks that its data fit in the rest of the file ({@code fileSize}) and only then
     * allocates the tensor and reads the data straight into it.
     */
    private static Tensor readTensor(CheckedInput in, Path file, String name, long fileSize) throws IOException {
        int dtype = in.getByte();
        if (dtype != FLOAT32 && dtype != INT64) throw corrupt(file, "tensor '" + name + "' has dtype code " + dtype);
        int rank = in.getByte();
        if (rank > MAX_RANK) throw corrupt(file, "tensor '" + name + "' has rank " + rank);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = in.getLong();
        long left = fileSize - in.consumed() - CRC_BYTES;
        long bytes = dtype == FLOAT32 ? Float.BYTES : Long.BYTES;
        for (long d : shape) {
            if (d < 0) throw corrupt(file, "tensor '" + name + "' has shape " + Arrays.toString(shape));
            if (d > 0 && bytes > left / d) {
                throw new IOException(file + ": truncated checkpoint (tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " does not fit in the " + Math.max(0, left) + " bytes left)");
            }
            bytes *= d;
        }
        if (bytes / (dtype == FLOAT32 ? Float.BYTES : Long.BYTES) > Integer.MAX_VALUE) throw corrupt(file, "tensor '" + name + "' too large");
        torch.ScalarType type = dtype == FLOAT32 ? torch.ScalarType.Float : torch.ScalarType.Long;
        Tensor t = torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
        if (t.numel() == 0) return t;
        if (dtype == FLOAT32) in.getFloats((FloatBuffer) t.createBuffer());
        else in.getLongs((LongBuffer) t.createBuffer());
        return t;
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + ": corrupt checkpoint (" + what + ")");
    }
}
