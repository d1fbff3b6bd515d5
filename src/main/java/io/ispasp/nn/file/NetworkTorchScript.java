package io.ispasp.nn.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import io.ispasp.engine.Tensors;
import io.ispasp.io.AtomicFiles;
import io.ispasp.io.ZipIntegrity;
import io.ispasp.nn.Blueprint;
import io.ispasp.nn.Network;
import io.ispasp.runtime.MemoryOutputStream;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolType;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedJitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.SingletonTypePtr;
import org.bytedeco.pytorch.StringType;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.named_buffer_iterator;
import org.bytedeco.pytorch.named_buffer_list;
import org.bytedeco.pytorch.named_module_iterator;
import org.bytedeco.pytorch.named_module_list;
import org.bytedeco.pytorch.named_parameter_iterator;
import org.bytedeco.pytorch.named_parameter_list;

/**
 * A {@link Network} as a TorchScript archive that Python's {@code torch.jit.load} and libtorch's
 * {@code torch::jit::load} open and run, and back.
 * <p><b>Write:</b> the module tree follows the state names (one submodule per dotted prefix, parameters and BN
 * buffers registered in state order), so {@code state_dict()} has torchvision's names and order, with the pruned
 * widths; {@code forward} is {@link Network#script()}; the root's string attribute {@value #SPEC_ATTRIBUTE} holds
 * {@link io.ispasp.nn.Architecture#describe()}.
 * <p><b>Read:</b> the architecture is {@value #SPEC_ATTRIBUTE} when present, else recognised from the state's names
 * and shapes (torchvision ResNets, wide ResNets, VGGs, MobileNetV2; an {@code nn.Sequential} MLP from its children's
 * types). Every candidate is then checked: the archive's forward (in float64, so libtorch's faulty float32
 * convolutions cannot spoil it) and the engine's run on the same random input (64x64 images) and must agree to a
 * relative 1e-3; the first that does is the result. Every failure is a one-line {@link IOException} naming the file.
 */
public final class NetworkTorchScript {
    /** Root attribute holding the architecture's text form. */
    public static final String SPEC_ATTRIBUTE = "ispasp_spec";
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final int CHECK_SIZE = 64; // image side of the forward check: every supported net keeps >= 2x2
    private static final double TOLERANCE = 1e-3; // relative to the largest output: same ops, rounding only

    private NetworkTorchScript() {}

    /** Whether {@code file} is a zip archive (the TorchScript container); false when it cannot be read. */
    public static boolean isTorchScript(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), ZIP_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code net} to {@code file} atomically (a temporary sibling, then a rename). */
    public static void write(Network net, Path file) throws IOException {
        AtomicFiles.write(file, out -> write(net, out, true));
    }

    /** As {@link #write(Network, Path)}; without {@value #SPEC_ATTRIBUTE} when {@code spec} is false (tests). */
    static void write(Network net, Path file, boolean spec) throws IOException {
        AtomicFiles.write(file, out -> write(net, out, spec));
    }

    /**
     * Writes the archive of {@code net} to {@code out}. libtorch serialises into memory ({@link MemoryOutputStream}):
     * its file writer throws from a destructor when the disk is full, which would abort the JVM.
     */
    public static void write(Network net, OutputStream out, boolean spec) throws IOException {
        if (net.state().isEmpty()) throw new IllegalStateException("the network was closed; nothing to export");
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope(); MemoryOutputStream archive = new MemoryOutputStream()) {
            try {
                build(net, spec).save(archive.stream());
            } catch (RuntimeException e) {
                throw new IOException("cannot make the TorchScript archive: " + firstLine(e.getMessage()), e);
            }
            archive.copyTo(out);
        }
    }

    /** The module tree of {@code net}, in eval mode. */
    static JitModule build(Network net, boolean spec) {
        String prefix = "__torch__.ispasp." + net.architecture().name() + ".";
        Type.TypePtr bool = new Type.TypePtr(new SingletonTypePtr(BoolType.get()));
        JitModule root = module(prefix + "Model", bool);
        Map<String, JitModule> modules = new HashMap<>();
        modules.put("", root);
        for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            JitModule owner = owner(modules, dot < 0 ? "" : name.substring(0, dot), prefix, bool);
            String leaf = name.substring(dot + 1);
            Tensor t = e.getValue().detach().contiguous().clone();
            if (Blueprint.isParameter(name)) owner.register_parameter(leaf, t.requires_grad_(true), false);
            else owner.register_buffer(leaf, t);
        }
        if (spec) {
            root.register_attribute(SPEC_ATTRIBUTE, new Type.TypePtr(new SingletonTypePtr(StringType.get())),
                    new IValue(net.architecture().describe()), false, false);
        }
        root.define(net.script());
        root.eval();
        return root;
    }

    private static JitModule owner(Map<String, JitModule> modules, String path, String prefix, Type.TypePtr bool) {
        JitModule m = modules.get(path);
        if (m != null) return m;
        int dot = path.lastIndexOf('.');
        JitModule parent = owner(modules, dot < 0 ? "" : path.substring(0, dot), prefix, bool);
        m = module(prefix + "m_" + path.replace('.', '_'), bool);
        parent.register_module(path.substring(dot + 1), m);
        modules.put(path, m);
        return m;
    }

    /** Every module needs the {@code training} flag that {@code train()}/{@code eval()} set, in C++ and Python. */
    private static JitModule module(String typeName, Type.TypePtr bool) {
        JitModule m = new JitModule(new QualifiedName(typeName));
        m.register_attribute("training", bool, new IValue(false), false, false);
        return m;
    }

    /** Imports {@code file}; the caller owns (closes) the result. */
    public static Network read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        if (!isTorchScript(file)) throw new IOException(file + " is not a TorchScript archive (not a zip file)");
        checkArchive(file);
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope()) { // frees the module once the network is built
            return read(file, open(file));
        }
    }

    /**
     * Imports the loaded {@code module} of {@code file} (named in messages). The module is set to eval mode and
     * converted to float64 for the forward check; it stays the caller's.
     */
    public static Network read(Path file, JitModule module) throws IOException {
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            module.eval();
            Map<String, Tensor> state = state(module);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : state.entrySet()) shapes.put(e.getKey(), e.getValue().shape());
            String spec = module.hasattr(SPEC_ATTRIBUTE) ? module.attr(SPEC_ATTRIBUTE).toStringRef().getString() : null;
            List<Recognizer.Candidate> candidates = Recognizer.candidates(shapes, children(module), spec);
            List<Network> nets = new ArrayList<>();
            List<String> misfits = new ArrayList<>();
            try {
                for (Recognizer.Candidate c : candidates) {
                    try {
                        nets.add(Network.fromState(c.architecture(), state));
                    } catch (IllegalArgumentException e) {
                        nets.add(null);
                        misfits.add(c.description() + " (" + e.getMessage() + ")");
                    }
                }
                if (nets.stream().allMatch(n -> n == null)) {
                    throw new IOException(file + ": the tensors fit no supported architecture: tried " + String.join("; ", misfits)
                            + "; " + Recognizer.supported());
                }
                module.to(torch.ScalarType.Double); // the state was copied above: the module is only run from here on
                List<String> mismatches = new ArrayList<>();
                // float64 convolutions would try NNPACK, which warns on every call on CPUs it does not support
                torch.globalContext().setUserEnabledNNPACK(false);
                for (int i = 0; i < nets.size(); i++) {
                    Network net = nets.get(i);
                    if (net == null) continue;
                    double diff = maxRelativeDifference(module, net);
                    if (diff <= TOLERANCE) {
                        nets.set(i, null);
                        return net;
                    }
                    mismatches.add(String.format(Locale.ROOT, "%s (relative difference %.3g)", candidates.get(i).description(), diff));
                }
                throw new IOException(file + ": the tensors fit " + String.join(" and ", mismatches)
                        + ", but its forward pass gives different outputs; " + Recognizer.supported());
            } finally {
                for (Network n : nets) if (n != null) n.close();
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Every entry's CRC (libtorch checks none), and a hint for the commonest mistake: a file from {@code torch.save}
     * (a pickled module or state_dict, the same zip container) has {@code data.pkl} but no {@code constants.pkl}.
     */
    private static void checkArchive(Path file) throws IOException {
        List<String> names = ZipIntegrity.verify(file);
        boolean pickle = names.stream().anyMatch(n -> n.endsWith("/data.pkl"));
        boolean script = names.stream().anyMatch(n -> n.endsWith("/constants.pkl"));
        if (pickle && !script) {
            throw new IOException(file + " was saved with torch.save (a pickled model or state_dict), not as TorchScript; in Python, "
                    + "save it with torch.jit.save(torch.jit.script(model.eval()), 'model.pt')");
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
        for (named_parameter_iterator it = params.begin(); it.notEquals(params.end()); it = it.increment()) put(state, it.access());
        named_buffer_list buffers = module.named_buffers(true);
        for (named_buffer_iterator it = buffers.begin(); it.notEquals(buffers.end()); it = it.increment()) put(state, it.access());
        return state;
    }

    private static void put(Map<String, Tensor> state, NamedTensor t) {
        state.put(t.name().getString(), t.value());
    }

    /** The root's children with their {@code torch.nn} type (null for other classes) and the attributes that matter. */
    static List<Recognizer.Child> children(JitModule module) {
        List<Recognizer.Child> out = new ArrayList<>();
        named_module_list list = module.named_children();
        for (named_module_iterator it = list.begin(); it.notEquals(list.end()); it = it.increment()) {
            NamedJitModule c = it.access();
            JitModule m = c.value();
            String qualified = m.type().str().getString();
            String type = qualified.startsWith("__torch__.torch.nn.") ? qualified.substring(qualified.lastIndexOf('.') + 1) : null;
            double a = Double.NaN, b = Double.NaN;
            if (type != null) {
                switch (type) {
                    case "LeakyReLU" -> a = number(m, "negative_slope");
                    case "Dropout" -> a = number(m, "p");
                    case "Hardtanh" -> { a = number(m, "min_val"); b = number(m, "max_val"); }
                    case "GELU" -> {
                        if (m.hasattr("approximate") && m.attr("approximate").isString()
                                && !m.attr("approximate").toStringRef().getString().equals("none")) a = 1;
                    }
                    default -> { }
                }
            }
            out.add(new Recognizer.Child(c.name().getString(), type, a, b));
        }
        return out;
    }

    private static double number(JitModule m, String name) {
        if (!m.hasattr(name)) return Double.NaN;
        IValue v = m.attr(name);
        if (v.isDouble()) return v.toDouble();
        if (v.isInt()) return v.toInt();
        return Double.NaN;
    }

    /** max |archive(x) - engine(x)| / max(1, max |archive(x)|) on a fixed random input, both in eval mode. */
    private static double maxRelativeDifference(JitModule module, Network net) {
        Tensor x = checkInput(net);
        Tensor expected;
        try {
            expected = module.forward(new IValueVector(new IValue(Tensors.toDouble(x)))).toTensor();
        } catch (RuntimeException e) {
            return Double.POSITIVE_INFINITY; // the archive's forward refuses an input of this form's shape
        }
        Tensor actual = net.forward(x);
        if (!Arrays.equals(expected.shape(), actual.shape())) return Double.POSITIVE_INFINITY;
        Tensor e = Tensors.toDouble(expected), a = Tensors.toDouble(actual);
        double scale = Math.max(1.0, e.abs().max().item_double());
        double diff = e.sub(a).abs().max().item_double();
        return Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / scale;
    }

    private static Tensor checkInput(Network net) {
        long[] sample = net.architecture().inputShape(CHECK_SIZE);
        long[] shape = new long[sample.length + 1];
        shape[0] = sample.length == 1 ? 4 : 2;
        System.arraycopy(sample, 0, shape, 1, sample.length);
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
