package io.ispasp.bench.latency;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;

import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.nn.file.NetworkTorchScript;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/**
 * Opens a model file for the latency benchmark: an ONNX BERT-family encoder by its {@code .onnx} extension (protobuf
 * has no magic bytes), otherwise by its first bytes an engine checkpoint of any family (the current format or a
 * legacy MLP or conv-net one), or a TorchScript zip. Every failure is an {@link IOException} or
 * {@link IllegalArgumentException} with a one-line message naming the file.
 */
public final class LatencyModels {
    /** Shape of a sample of a TorchScript model the engine does not know, when no --shape is given. */
    static final long[] DEFAULT_TORCHSCRIPT_SHAPE = {3, 224, 224};

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private LatencyModels() {}

    /** As {@link #open(String, Path, long[], Integer)}, labelled with the file name without its extension, ORT's default threads. */
    public static LatencyModel open(Path file, long[] shapeOverride) throws IOException {
        return open(defaultLabel(file), file, shapeOverride, null);
    }

    /**
     * Opens {@code file}. {@code shapeOverride} (one sample's shape, or null) replaces the default input: for an
     * image model it must be 3,S,S; for an MLP it must be its input size; for TorchScript of an architecture the
     * engine does not know it is required knowledge the file lacks (default 3,224,224); an ONNX encoder refuses it
     * (it takes sequence lengths instead). {@code onnxThreads}: ONNX Runtime's intra-op threads for an ONNX model,
     * null for ORT's default; libtorch's setting is process-wide and the caller's.
     */
    public static LatencyModel open(String label, Path file, long[] shapeOverride, Integer onnxThreads) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        if (isOnnx(file)) {
            if (shapeOverride != null) {
                throw new IllegalArgumentException("--shape does not apply to " + file + ", an ONNX text encoder (give --seq)");
            }
            return OnnxLatencyModel.open(label, file, onnxThreads);
        }
        byte[] head = head(file);
        if (NetworkCheckpoint.isCheckpoint(file)) {
            Network net = NetworkCheckpoint.load(file);
            try {
                return new NetworkLatencyModel(label, net, side(net.architecture(), shapeOverride, file));
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }
        if (startsWith(head, ZIP_MAGIC)) return torchScript(label, file, shapeOverride);
        throw new IOException(file + " is not a model this benchmark knows (an engine checkpoint, a TorchScript zip or an ONNX encoder *.onnx)");
    }

    /** An ONNX file, by its extension. */
    static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** The file name without its extension ({@code runs/dense.ckpt} becomes {@code dense}). */
    public static String defaultLabel(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * A TorchScript file, timed through libtorch's JIT. The engine's importer tells the architecture, hence the
     * input (32x32 for CIFAR forms, 224x224 for ImageNet forms, an MLP's input size) and the FLOPs; a file it does
     * not know takes {@code --shape} (default 3,224,224). The importer reads the file on its own (it runs the
     * module in float64 to check it), so the module timed here is the file as saved.
     */
    private static LatencyModel torchScript(String label, Path file, long[] shapeOverride) throws IOException {
        long[] shape = shapeOverride != null ? shapeOverride : DEFAULT_TORCHSCRIPT_SHAPE;
        String what = "TorchScript module";
        OptionalLong flops = OptionalLong.empty();
        JitModule module = loadTorchScript(file);
        // the importer turns NNPACK off process-wide for its float64 check; every model is timed with the setting as it was
        boolean nnpack = torch.globalContext().userEnabledNNPACK();
        try (Network net = NetworkTorchScript.read(file)) {
            Architecture arch = net.architecture();
            int side = side(arch, shapeOverride, file);
            shape = arch.inputShape(side);
            flops = OptionalLong.of(net.complexity(side).flops());
            what = "TorchScript (JIT): " + arch.describe();
        } catch (IOException e) {
            what = "TorchScript module (not an architecture the engine knows)";
        } catch (RuntimeException e) { // e.g. a --shape that does not fit: the module is not handed on
            module.close();
            throw e;
        } finally {
            torch.globalContext().setUserEnabledNNPACK(nnpack);
        }
        return new TorchScriptLatencyModel(label, module, shape, what, flops);
    }

    private static JitModule loadTorchScript(Path file) throws IOException {
        try {
            return torch.load(file.toString());
        } catch (RuntimeException e) { // libtorch's c10::Error arrives as a RuntimeException with a multi-line text
            String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IOException(file + ": cannot load as TorchScript (" + m + ")", e);
        }
    }

    /**
     * The image side {@code arch} is timed at: its native one (32 for CIFAR forms, 224 for ImageNet forms) or that
     * of {@code shapeOverride}, which must fit (3,S,S for an image model, the input size for an MLP, whose side is 0).
     */
    private static int side(Architecture arch, long[] shapeOverride, Path file) {
        if (shapeOverride == null) return arch.nativeInput();
        if (arch.nativeInput() == 0) {
            long[] in = arch.inputShape(0);
            if (!Arrays.equals(shapeOverride, in)) {
                throw new IllegalArgumentException("--shape " + text(shapeOverride) + " does not fit " + file + " (an MLP with "
                        + in[0] + " inputs)");
            }
            return 0;
        }
        if (shapeOverride.length != 3 || shapeOverride[0] != 3 || shapeOverride[1] != shapeOverride[2]) {
            throw new IllegalArgumentException("--shape " + text(shapeOverride) + " does not fit " + file + " (an image model takes 3,S,S)");
        }
        return Math.toIntExact(shapeOverride[1]);
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        }
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(Arrays.copyOf(head, magic.length), magic);
    }

    static String text(long[] shape) {
        return String.join(",", Arrays.stream(shape).mapToObj(Long::toString).toArray(String[]::new));
    }
}
