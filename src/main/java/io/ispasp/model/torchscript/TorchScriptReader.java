package io.ispasp.model.torchscript;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.ispasp.engine.Tensors;
import io.ispasp.model.LoadedModel;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.named_buffer_iterator;
import org.bytedeco.pytorch.named_buffer_list;
import org.bytedeco.pytorch.named_parameter_iterator;
import org.bytedeco.pytorch.named_parameter_list;
import org.bytedeco.pytorch.global.torch;

/**
 * Reads a TorchScript archive saved from Python ({@code torch.jit.save(torch.jit.script(m))}) or by
 * {@link TorchScriptWriter} into an engine model. The tensors are mapped by name onto the architecture their
 * names and shapes describe ({@link StateMapping}); then the archive's own forward and the engine's are run on
 * the same random input, and the import is accepted only when they agree. So a module whose forward differs from
 * torchvision's (another activation, a changed stride) is an error rather than a silently different model.
 */
public final class TorchScriptReader {
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final int CHECK_SIZE = 64; // image side of the forward check: every supported net keeps >= 2x2
    private static final double TOLERANCE = 1e-3; // relative to the largest output: same ops, rounding only

    private TorchScriptReader() {}

    /** Whether {@code file} is a zip archive (the TorchScript container); false when it cannot be read. */
    public static boolean isTorchScript(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), ZIP_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Imports {@code file}; the caller owns (closes) the result. */
    public static LoadedModel read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        if (!isTorchScript(file)) throw new IOException(file + " is not a TorchScript archive (not a zip file)");
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope()) { // frees the module once the engine model is built
            return read(file, open(file));
        }
    }

    /**
     * Imports the already loaded {@code module} of {@code file} (named in messages), for a caller that keeps the
     * module too; it is set to eval mode and stays the caller's.
     */
    public static LoadedModel read(Path file, JitModule module) throws IOException {
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            module.eval();
            Map<String, Tensor> state = state(module);
            String specText = module.hasattr(TorchScriptWriter.SPEC_ATTRIBUTE)
                    ? module.attr(TorchScriptWriter.SPEC_ATTRIBUTE).toStringRef().getString() : null;
            List<String> mismatches = new ArrayList<>();
            for (StateMapping.Candidate c : StateMapping.candidates(state, specText, file)) {
                LoadedModel model = c.build(state);
                double diff = maxRelativeDifference(module, model);
                if (diff <= TOLERANCE) return model;
                model.close();
                mismatches.add(String.format(java.util.Locale.ROOT, "%s (relative difference %.3g)", c.description(), diff));
            }
            throw new IOException(file + ": the tensors fit " + String.join(" and ", mismatches)
                    + ", but its forward pass gives different outputs; " + StateMapping.SUPPORTED);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static JitModule open(Path file) throws IOException {
        try {
            return torch.load(file.toString());
        } catch (RuntimeException e) {
            throw new IOException(file + ": cannot read the TorchScript archive: " + firstLine(e.getMessage()), e);
        }
    }

    /** Parameters and buffers by their dotted names, in module order. */
    static Map<String, Tensor> state(JitModule module) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        named_parameter_list params = module.named_parameters(true);
        for (named_parameter_iterator it = params.begin(); it.notEquals(params.end()); it = it.increment()) {
            put(state, it.access());
        }
        named_buffer_list buffers = module.named_buffers(true);
        for (named_buffer_iterator it = buffers.begin(); it.notEquals(buffers.end()); it = it.increment()) {
            put(state, it.access());
        }
        return state;
    }

    private static void put(Map<String, Tensor> state, NamedTensor t) {
        state.put(t.name().getString(), t.value());
    }

    /** max |archive(x) - engine(x)| / max(1, max |archive(x)|) on a fixed random input, both in eval mode. */
    private static double maxRelativeDifference(JitModule module, LoadedModel model) {
        Tensor x = checkInput(model);
        Tensor expected = module.forward(new IValueVector(new IValue(x))).toTensor();
        Tensor actual = model.isConv() ? model.conv().forward(x) : model.mlp().forward(x);
        if (!Arrays.equals(expected.shape(), actual.shape())) return Double.POSITIVE_INFINITY;
        double scale = Math.max(1.0, expected.abs().max().item_double());
        double diff = expected.sub(actual).abs().max().item_double();
        return Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / scale;
    }

    private static Tensor checkInput(LoadedModel model) {
        long[] shape = model.isConv() ? new long[] {2, 3, CHECK_SIZE, CHECK_SIZE} : new long[] {4, model.mlp().inputSize()};
        long n = 1;
        for (long s : shape) n *= s;
        Random rnd = new Random(7); // java's RNG: libtorch's global generator is shared by concurrent jobs
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Tensors.of(v, shape);
    }

    /** libtorch's messages carry a C++ backtrace after the first line. */
    static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
