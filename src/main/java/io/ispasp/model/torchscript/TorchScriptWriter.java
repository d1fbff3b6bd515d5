package io.ispasp.model.torchscript;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ispasp.io.AtomicFiles;
import io.ispasp.model.Mlp;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolType;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.SingletonTypePtr;
import org.bytedeco.pytorch.StringType;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;

/**
 * Writes an engine model as a TorchScript archive that Python's {@code torch.jit.load} and libtorch's
 * {@code torch::jit::load} open and run. The module tree and the state dict are torchvision's (or
 * {@code nn.Sequential}'s for an MLP): {@code state_dict()} has the same names and order as the unpruned
 * torchvision model, with the pruned widths. The root also carries the string attribute {@value #SPEC_ATTRIBUTE}
 * (architecture, form, width) so {@link TorchScriptReader} reads it back without guessing.
 */
public final class TorchScriptWriter {
    /** Root attribute holding the engine's description of the model, e.g. {@code resnet34 cifar width=0.25}. */
    public static final String SPEC_ATTRIBUTE = "ispasp_spec";

    private TorchScriptWriter() {}

    /** Writes {@code net} to {@code file} atomically (a temporary sibling, then a rename). */
    public static void write(ConvNet net, Path file) throws IOException {
        if (net.state().isEmpty()) throw new IllegalStateException("the net was closed; nothing to export");
        write(net.state(), ForwardSource.of(net.spec()), SpecText.of(net.spec()), typePrefix(net.spec().arch().cliName()), file);
    }

    /** Writes {@code mlp} as {@code nn.Sequential([Flatten,] Linear, ReLU, ..., Linear)}. */
    public static void write(Mlp mlp, Path file) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (int l = 0; l < mlp.layers(); l++) {
            state.put(mlp.moduleIndex(l) + ".weight", mlp.weight(l));
            state.put(mlp.moduleIndex(l) + ".bias", mlp.bias(l));
        }
        write(state, ForwardSource.of(mlp), SpecText.of(mlp), typePrefix("mlp"), file);
    }

    private static void write(Map<String, Tensor> state, String forward, String spec, String prefix, Path file) throws IOException {
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope()) {
            JitModule root = build(state, forward, spec, prefix);
            AtomicFiles.writeFile(file, tmp -> root.save(tmp.toString())); // libtorch opens the file itself
        } catch (RuntimeException e) {
            throw new IOException("cannot export TorchScript to " + file + ": " + TorchScriptReader.firstLine(e.getMessage()), e);
        }
    }

    /** The module tree: one submodule per dotted prefix, parameters and BN buffers registered in state order. */
    static JitModule build(Map<String, Tensor> state, String forward, String spec, String prefix) {
        Type.TypePtr bool = new Type.TypePtr(new SingletonTypePtr(BoolType.get()));
        JitModule root = module(prefix + "Model", bool);
        Map<String, JitModule> modules = new HashMap<>();
        modules.put("", root);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            JitModule owner = owner(modules, dot < 0 ? "" : name.substring(0, dot), prefix, bool);
            String leaf = name.substring(dot + 1);
            Tensor t = e.getValue().detach().contiguous().clone();
            if (isBuffer(leaf)) owner.register_buffer(leaf, t);
            else owner.register_parameter(leaf, t.requires_grad_(true), false);
        }
        root.register_attribute(SPEC_ATTRIBUTE, new Type.TypePtr(new SingletonTypePtr(StringType.get())), new IValue(spec), false, false);
        root.define(forward);
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

    private static boolean isBuffer(String leaf) {
        return leaf.equals("running_mean") || leaf.equals("running_var") || leaf.equals("num_batches_tracked");
    }

    /** Class names in the archive: {@code __torch__.ispasp.resnet34.Model}, one class per module path. */
    private static String typePrefix(String model) {
        return "__torch__.ispasp." + model + ".";
    }
}
