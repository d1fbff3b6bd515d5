package io.ispasp.nn.file;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The engine's checkpoint of any {@link Network}: its architecture's text form and every state tensor under its
 * torchvision name. All values are little-endian (x86's and libtorch's byte order there, so tensor data are plain
 * copies):
 * <pre>
 *   magic      8 bytes  "ISPASPN2" (ASCII)
 *   version    i32      2
 *   arch       string   u16 byte length + printable ASCII: {@link Architecture#describe()}
 *   tensors    i32      then, per tensor, in the network's state order:
 *     name     string   u16 byte length + ASCII letters, digits, '_' and '.'
 *     dtype    u8       1 = float32, 2 = int64
 *     rank     u8       0..8
 *     shape    rank x i64
 *     data     numel x 4 (float32) or 8 (int64) bytes, row-major
 *   crc32      u32      CRC32 of every byte before it
 * </pre>
 * Files are written through a temporary file and a rename, so an existing file is never damaged. Loading checks the
 * magic, the version, the header's values, that every tensor's declared size fits in what is left of the file before
 * allocating it, the checksum and that nothing trails it; {@link Network#fromState} then checks names, shapes
 * (pruned widths included) and values. Every failure is an {@link IOException} with a one-line message naming the
 * file.
 * <p>{@link #load} also reads the engine's two earlier formats: the MLP checkpoint {@code ISPASPM1} (becomes a ReLU
 * {@link io.ispasp.nn.arch.Mlp}) and the conv-net checkpoint {@code ISPASPC1} (resnet18, resnet34, mobilenetv2).
 */
public final class NetworkCheckpoint {
    /** The magic of this format. */
    public static final String MAGIC_TEXT = "ISPASPN2";
    /** The format version this class writes and reads. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
    static final int FLOAT32 = 1;
    static final int INT64 = 2;
    static final int MAX_NAME = 1024;
    private static final int MAX_ARCH = 0xFFFF;
    static final int MAX_RANK = 8;
    static final int MAX_TENSORS = 1 << 16;
    static final int CRC_BYTES = 4;
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]+");
    private static final Pattern ARCH_TEXT = Pattern.compile("[\\x20-\\x7E]+");

    private NetworkCheckpoint() {}

    /**
     * Writes {@code net} to {@code file} atomically; the target's directory must exist. A network holding NaN or
     * infinite values is refused ({@link IllegalStateException}): {@link #load} could not read it back.
     */
    public static void save(Network net, Path file) throws IOException {
        AtomicFiles.write(file, raw -> save(net, raw));
    }

    /** Writes the checkpoint of {@code net} to {@code raw}; refuses NaN or infinite values as {@link #save(Network, Path)}. */
    public static void save(Network net, OutputStream raw) throws IOException {
        TorchRuntime.init();
        Map<String, Tensor> state = net.state();
        if (state.isEmpty()) throw new IllegalStateException("the network was closed; nothing to save");
        String arch = net.architecture().describe();
        CheckedOutput out = new CheckedOutput(raw);
        out.putBytes(MAGIC);
        out.putInt(VERSION);
        out.putString(arch);
        out.putInt(state.size());
        try (PointerScope scope = new PointerScope()) { // frees the contiguous handles
            for (Map.Entry<String, Tensor> e : state.entrySet()) writeTensor(out, e.getKey(), e.getValue().contiguous());
        }
        out.finishWithChecksum();
    }

    /**
     * Reads a checkpoint written by {@link #save}, or a legacy MLP ({@code ISPASPM1}) or conv-net ({@code ISPASPC1})
     * checkpoint; the caller owns (closes) the network.
     */
    public static Network load(Path file) throws IOException {
        TorchRuntime.init();
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        byte[] magic = peek(file);
        if (Arrays.equals(magic, LegacyCheckpoints.MLP_MAGIC)) return LegacyCheckpoints.loadMlp(file);
        if (Arrays.equals(magic, LegacyCheckpoints.CONV_MAGIC)) return LegacyCheckpoints.loadConv(file);
        if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + " is not an ispasp checkpoint (bad magic)");
        long size = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             PointerScope scope = new PointerScope()) { // frees the read tensors; fromState keeps copies
            CheckedInput in = new CheckedInput(channel);
            in.getBytes(MAGIC.length);
            int version = in.getInt();
            if (version != VERSION) {
                throw new IOException(file + ": checkpoint format version " + version + " is not supported (this engine reads version " + VERSION + ")");
            }
            int n = in.getUnsignedShort();
            if (n < 1 || n > MAX_ARCH) throw corrupt(file, "architecture text has " + n + " bytes");
            String text = new String(in.getBytes(n), StandardCharsets.US_ASCII);
            if (!ARCH_TEXT.matcher(text).matches()) throw corrupt(file, "architecture text is malformed");
            Architecture arch;
            try {
                arch = Architectures.parse(text);
            } catch (IllegalArgumentException e) {
                throw corrupt(file, "architecture '" + text + "': " + e.getMessage());
            }
            return finish(in, file, size, arch);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    /** The tensors that follow a header, the checksum and the end of the file, and the network they make. */
    static Network finish(CheckedInput in, Path file, long size, Architecture arch) throws IOException {
        Map<String, Tensor> tensors = readTensors(in, file, size);
        long expected = in.checksum();
        if (in.getUnsignedInt() != expected) throw corrupt(file, "checksum mismatch");
        if (!in.atEnd()) throw corrupt(file, "trailing bytes after the checksum");
        return Network.fromState(arch, tensors);
    }

    /** Whether {@code file} starts with the magic of this format or of a legacy one; false when it cannot be read. */
    public static boolean isCheckpoint(Path file) {
        try {
            byte[] m = peek(file);
            return Arrays.equals(m, MAGIC) || Arrays.equals(m, LegacyCheckpoints.MLP_MAGIC) || Arrays.equals(m, LegacyCheckpoints.CONV_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] peek(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAGIC.length);
        }
    }

    /** The tensor count and the tensors, each checked to fit in the file before it is allocated. */
    static Map<String, Tensor> readTensors(CheckedInput in, Path file, long fileSize) throws IOException {
        int count = in.getInt();
        if (count < 1 || count > MAX_TENSORS) throw corrupt(file, "tensor count " + count);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = readName(in, file, "name of tensor " + i);
            if (tensors.put(name, readTensor(in, file, name, fileSize)) != null) throw corrupt(file, "tensor '" + name + "' appears twice");
        }
        return tensors;
    }

    /** A name: its length is checked before it is read, and it must be a plain identifier path. */
    static String readName(CheckedInput in, Path file, String what) throws IOException {
        int n = in.getUnsignedShort();
        if (n < 1 || n > MAX_NAME) throw corrupt(file, what + " has " + n + " bytes");
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
        // checked while writing, so a failure leaves the target untouched
        if (type == torch.ScalarType.Float && !t.isfinite().all().item_bool()) {
            throw new IllegalStateException("tensor '" + name + "' holds NaN or infinite values; the network was not saved");
        }
        if (type == torch.ScalarType.Float) out.putFloats(t.createBuffer());
        else out.putLongs(t.createBuffer());
    }

    /**
     * Reads one tensor's header, checks that its data fit in the rest of the file ({@code fileSize}) and only then
     * allocates the tensor and reads the data straight into it.
     */
    static Tensor readTensor(CheckedInput in, Path file, String name, long fileSize) throws IOException {
        int dtype = in.getByte();
        if (dtype != FLOAT32 && dtype != INT64) throw corrupt(file, "tensor '" + name + "' has dtype code " + dtype);
        int rank = in.getByte();
        if (rank > MAX_RANK) throw corrupt(file, "tensor '" + name + "' has rank " + rank);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = in.getLong();
        long left = fileSize - in.consumed() - CRC_BYTES;
        long element = dtype == FLOAT32 ? Float.BYTES : Long.BYTES;
        long bytes = element;
        for (long d : shape) {
            if (d < 0) throw corrupt(file, "tensor '" + name + "' has shape " + Arrays.toString(shape));
            if (d > 0 && bytes > left / d) {
                throw new IOException(file + ": truncated checkpoint (tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " does not fit in the " + Math.max(0, left) + " bytes left)");
            }
            bytes *= d;
        }
        if (bytes / element > Integer.MAX_VALUE) throw corrupt(file, "tensor '" + name + "' too large");
        torch.ScalarType type = dtype == FLOAT32 ? torch.ScalarType.Float : torch.ScalarType.Long;
        Tensor t = torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
        if (t.numel() == 0) return t;
        if (dtype == FLOAT32) in.getFloats((FloatBuffer) t.createBuffer());
        else in.getLongs((LongBuffer) t.createBuffer());
        return t;
    }

    static IOException corrupt(Path file, String what) {
        return new IOException(file + ": corrupt checkpoint (" + what + ")");
    }
}
