package io.ispasp.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A network of any family: its {@link Architecture} and its state, one named tensor per parameter and buffer
 * (torchvision's names and order). The forward pass is the architecture's {@link Program}; the units are views on
 * it. A pruned network has the same architecture and a smaller state (the widths come from the tensors), so loading,
 * surgery and export need nothing per family.
 * <p>The tensors are CPU float32 (counters int64), owned by this object and released by {@link #close()}. Eval-mode
 * forwards only read the state and may run from several threads; training mutates it.
 */
public final class Network implements AutoCloseable {
    private final Architecture architecture;
    private final Blueprint blueprint;
    private final LinkedHashMap<String, Tensor> state;
    private final List<String> parameterNames;
    private final List<Unit> units;
    private final Op.State lookup;

    private Network(Architecture architecture, LinkedHashMap<String, Tensor> state) {
        this.architecture = architecture;
        this.blueprint = architecture.blueprint();
        this.state = state;
        List<String> p = new ArrayList<>();
        for (String name : state.keySet()) if (Blueprint.isParameter(name)) p.add(name);
        this.parameterNames = Collections.unmodifiableList(p);
        List<Unit> u = new ArrayList<>();
        for (int i = 0; i < blueprint.units().size(); i++) u.add(new Unit(this, i, blueprint.units().get(i)));
        this.units = Collections.unmodifiableList(u);
        this.lookup = new Op.State() {
            public Tensor tensor(String name) { return Network.this.tensor(name); }

            public boolean has(String name) { return state.containsKey(name); }
        };
    }

    /** A freshly initialised dense network (the architecture's scheme), seeded. */
    public static Network random(Architecture architecture, long seed) {
        TorchRuntime.init();
        Random rnd = new Random(seed);
        LinkedHashMap<String, Tensor> st = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) { // frees creation helpers; the state outlives it
            for (Map.Entry<String, long[]> e : architecture.blueprint().shapes().entrySet()) {
                long[] shape = e.getValue();
                Tensor t = e.getKey().endsWith("num_batches_tracked") ? Tensors.ofLongs(new long[] {0}).reshape()
                        : Tensors.of(architecture.initial(e.getKey(), shape, rnd), shape);
                st.put(e.getKey(), Tensors.retained(t));
            }
        }
        return new Network(architecture, st);
    }

    /**
     * A network holding copies of {@code tensors}. Every tensor of the architecture must be there exactly once, with
     * the dense shape except along the dimensions a unit's groups index, where all of a unit's tensors must agree on
     * one width between 1 and the dense one; values must be finite. Anything else is an error naming the tensor.
     */
    public static Network fromState(Architecture architecture, Map<String, Tensor> tensors) {
        TorchRuntime.init();
        StateShapes.check(architecture.blueprint(), tensors);
        LinkedHashMap<String, Tensor> st = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (String name : architecture.blueprint().shapes().keySet()) {
                Tensor src = tensors.get(name);
                Tensor copy = name.endsWith("num_batches_tracked")
                        ? src.to(torch.ScalarType.Long).clone() : src.to(torch.ScalarType.Float).contiguous().clone();
                st.put(name, Tensors.retained(copy));
            }
        }
        return new Network(architecture, st);
    }

    public Architecture architecture() { return architecture; }

    public Blueprint blueprint() { return blueprint; }

    public Program program() { return blueprint.program(); }

    /** Parameters and buffers in state-dict order; the tensors are this network's own (do not close them). */
    public Map<String, Tensor> state() { return Collections.unmodifiableMap(state); }

    /** Names of the trainable parameters (the state without BN running statistics and counters). */
    public List<String> parameterNames() { return parameterNames; }

    public Tensor tensor(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + architecture.name());
        return t;
    }

    Op.State lookup() { return lookup; }

    /** Trainable parameter count. */
    public long params() {
        long n = 0;
        for (String name : parameterNames) n += state.get(name).numel();
        return n;
    }

    /** Parameters and multiply-adds per sample at image side {@code size} (ignored for MLPs). */
    public Complexity complexity(int size) {
        return Complexity.of(program(), shapes(), architecture.inputShape(size));
    }

    /** The shape of every parameter and buffer, by name. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) shapes.put(e.getKey(), e.getValue().shape());
        return shapes;
    }

    /** As {@link #complexity(int)} for this network with unit {@code u} cut to {@code widths[u]} groups. */
    public Complexity complexity(int size, int[] widths) {
        return Complexity.of(architecture, shapes(), size, widths);
    }

    public List<Unit> units() { return units; }

    public Unit unit(int index) {
        if (index < 0 || index >= units.size()) throw new IllegalArgumentException("no unit " + index + " in " + architecture.name() + " (" + units.size() + " units)");
        return units.get(index);
    }

    /** The unit named {@code name} (or whose hidden module is {@code name}); a one-line error listing the units. */
    public Unit unit(String name) {
        for (Unit u : units) if (u.name().equals(name) || u.hidden().equals(name)) return u;
        List<String> names = new ArrayList<>();
        for (Unit u : units) names.add(u.name());
        throw new IllegalArgumentException("no unit '" + name + "' in " + architecture.name() + " (units: " + String.join(", ", names) + ")");
    }

    /** Groups of every unit, in unit order. */
    public int[] widths() {
        int[] w = new int[units.size()];
        for (int i = 0; i < w.length; i++) w[i] = units.get(i).groups();
        return w;
    }

    /** Logits of a batch in eval mode (BN with running statistics, no dropout). */
    public Tensor forward(Tensor x) { return forward(x, false); }

    /** Logits; in training mode BN uses batch statistics and updates the running ones, and dropout is active. */
    public Tensor forward(Tensor x, boolean training) { return program().run(x, lookup, training); }

    /** TorchScript source of this network's forward (literal arguments from its current shapes). */
    public String script() { return program().script(lookup); }

    /** A deep copy. */
    public Network copy() { return fromState(architecture, state); }

    /** A network of the same architecture over new tensors (copied), for surgery. */
    Network withState(Map<String, Tensor> tensors) { return fromState(architecture, tensors); }

    @Override
    public void close() {
        for (Tensor t : state.values()) t.releaseReference();
        state.clear();
    }

    @Override
    public String toString() {
        return architecture.describe() + " widths " + Arrays.toString(widths());
    }
}
