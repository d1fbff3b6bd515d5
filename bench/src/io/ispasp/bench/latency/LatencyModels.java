package io.ispasp.bench.latency;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.model.conv.ConvCheckpoint;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.torchscript.TorchScriptReader;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/**
 * Opens a model file for the latency benchmark, recognising the format by its first bytes: an engine conv-net
 * checkpoint, an engine MLP checkpoint, or a TorchScript zip. Every failure is an {@link IOException} or
 * {@link IllegalArgumentException} with a one-line message naming the file.
 */
public final class LatencyModels {
    /** Input side of conv nets when no shape is given: CIFAR form 32, ImageNet form 224. */
    static final int CIFAR_SIZE = 32;
    static final int IMAGENET_SIZE = 224;
    /** Shape of a TorchScript model's sample when none is given. */
    static final long[] DEFAULT_TORCHSCRIPT_SHAPE = {3, IMAGENET_SIZE, IMAGENET_SIZE};

    private static final byte[] MLP_MAGIC = "ISPASPM1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private LatencyModels() {}

    /** As {@link #open(String, Path, long[])}, labelled with the file name without its extension. */
    public static LatencyModel open(Path file, long[] shapeOverride) throws IOException {
        return open(defaultLabel(file), file, shapeOverride);
    }

    /**
     * Opens {@code file}. {@code shapeOverride} (one sample's shape, or null) replaces the default input: for a
     * conv net it must be 3,S,S; for an MLP it must be its input size; for TorchScript it is required knowledge
     * the file lacks (default 3,224,224).
     */
    public static LatencyModel open(String label, Path file, long[] shapeOverride) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        byte[] head = head(file);
        if (ConvCheckpoint.isConvCheckpoint(file)) {
            ConvNet net = ConvCheckpoint.load(file);
            try {
                int size = net.spec().cifar() ? CIFAR_SIZE : IMAGENET_SIZE;
                if (shapeOverride != null) size = squareImageSide(shapeOverride, file);
                return new ConvLatencyModel(label, net, size);
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }
        if (startsWith(head, MLP_MAGIC)) {
            Mlp mlp = MlpCheckpoint.load(file);
            if (shapeOverride != null && !(shapeOverride.length == 1 && shapeOverride[0] == mlp.inputSize())) {
                throw new IllegalArgumentException("--shape " + text(shapeOverride) + " does not fit " + file + " (an MLP with "
                        + mlp.inputSize() + " inputs)");
            }
            return new MlpLatencyModel(label, mlp);
        }
        if (startsWith(head, ZIP_MAGIC)) return torchScript(label, file, shapeOverride);
        throw new IOException(file + " is not a model this benchmark knows (an engine conv-net or MLP checkpoint, or a TorchScript zip)");
    }

    /** The file name without its extension ({@code runs/dense.ckpt} becomes {@code dense}). */
    public static String defaultLabel(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * A TorchScript file, timed through libtorch's JIT. The engine's importer tells the architecture, hence the
     * input (32x32 for the CIFAR form, 224x224 for the ImageNet form, an MLP's input size) and the FLOPs; a file it
     * does not know takes {@code --shape} (default 3,224,224).
     */
    private static LatencyModel torchScript(String label, Path file, long[] shapeOverride) throws IOException {
        long[] shape = shapeOverride != null ? shapeOverride : DEFAULT_TORCHSCRIPT_SHAPE;
        String what = "TorchScript module";
        OptionalLong flops = OptionalLong.empty();
        JitModule module = loadTorchScript(file);
        try (LoadedModel m = TorchScriptReader.read(file, module)) {
            if (m.isConv()) {
                ConvSpec spec = m.conv().spec();
                int side = shapeOverride != null ? squareImageSide(shapeOverride, file) : spec.cifar() ? CIFAR_SIZE : IMAGENET_SIZE;
                shape = new long[] {3, side, side};
                flops = OptionalLong.of(Complexity.of(spec, side).flops());
            } else {
                shape = new long[] {m.mlp().inputSize()};
                flops = OptionalLong.of(m.mlp().flops());
            }
            what = "TorchScript (JIT): " + m.describe();
        } catch (IOException e) {
            what = "TorchScript module (not an architecture the engine knows)";
        } catch (RuntimeException e) { // e.g. a --shape that does not fit: the module is not handed on
            module.close();
            throw e;
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

    private static int squareImageSide(long[] shape, Path file) {
        if (shape.length != 3 || shape[0] != 3 || shape[1] != shape[2]) {
            throw new IllegalArgumentException("--shape " + text(shape) + " does not fit " + file + " (a conv net takes 3,S,S)");
        }
        return Math.toIntExact(shape[1]);
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
