package io.ispasp.nn;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The forward pass of a network as a straight list of {@link Op}s over named registers: the input is register
 * {@link #INPUT}, the result register {@link #output()}. Running a slice {@code [from, to)} of it from a set of live
 * registers gives every prefix and suffix the pruner needs (a unit's input, the rest of the net after a unit).
 *
 * @param ops    the ops in order
 * @param output the register holding the logits at the end
 */
public record Program(List<Op> ops, String output) {
    public static final String INPUT = "x";

    public Program {
        ops = List.copyOf(ops);
    }

    public int size() { return ops.size(); }

    public Op op(int i) { return ops.get(i); }

    /** The logits of {@code x}. */
    public Tensor run(Tensor x, Op.State state, boolean training) {
        Map<String, Tensor> env = new HashMap<>();
        env.put(INPUT, x);
        run(env, 0, ops.size(), state, training);
        return env.get(output);
    }

    /**
     * Runs ops {@code [from, to)} on the live registers {@code env}, which it updates. Afterwards {@code env} holds what
     * a caller may read: the last op's output, the program's output, and every register a later op (at or after
     * {@code to}) reads; tensors this run made and nothing reads any more are freed as soon as their last reader ran,
     * so a forward holds the live activations only, not every activation of the pass (inside a PointerScope, the
     * caller's, which receives the tensors that stay; without one every tensor stays).
     */
    public void run(Map<String, Tensor> env, int from, int to, Op.State state, boolean training) {
        Op.Registers regs = name -> {
            Tensor t = env.get(name);
            if (t == null) throw new IllegalStateException("register '" + name + "' is not set");
            return t;
        };
        PointerScope caller = PointerScope.getInnerScope();
        if (caller == null) {
            for (int i = from; i < to; i++) env.put(ops.get(i).out(), ops.get(i).run(regs, state, training));
            return;
        }
        Set<String> keep = new HashSet<>();
        for (int i = to; i < ops.size(); i++) keep.addAll(ops.get(i).inputs());
        if (to > from) keep.add(ops.get(to - 1).out());
        keep.add(output);
        Map<String, Integer> lastRead = new HashMap<>();
        for (int i = from; i < to; i++) for (String in : ops.get(i).inputs()) lastRead.put(in, i);
        // tensors made here, each retained once past its op's scope; identity, since an op may hand on its input
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            for (int i = from; i < to; i++) {
                Op op = ops.get(i);
                Tensor y;
                try (PointerScope step = new PointerScope()) {
                    y = op.run(regs, state, training);
                    if (!env.containsValue(y)) {    // not one of the registers handed on as it is (eval-mode dropout)
                        y.retainReference();
                        owned.add(y);
                    }
                }
                Tensor old = env.put(op.out(), y);
                if (old != null && old != y) releaseIfUnused(old, env, owned);
                for (String in : op.inputs()) {
                    if (lastRead.get(in) == i && !keep.contains(in) && !in.equals(op.out())) {
                        Tensor t = env.get(in);
                        if (t != null && owned.contains(t)) {
                            env.remove(in);
                            releaseIfUnused(t, env, owned);
                        }
                    }
                }
            }
            for (Tensor t : owned) {   // what stays goes to the caller's scope
                caller.attach(t);
                t.releaseReference();
            }
            owned.clear();
        } finally {
            for (Tensor t : owned) t.releaseReference();   // an op failed: the run's tensors go
        }
    }

    /** Frees {@code t} if this run made it and no register holds it any more. */
    private static void releaseIfUnused(Tensor t, Map<String, Tensor> env, Set<Tensor> owned) {
        if (owned.contains(t) && !env.containsValue(t)) {
            owned.remove(t);
            t.releaseReference();
        }
    }

    /** TorchScript source of {@code forward(self, x)}; BN and dropout follow {@code self.training}. */
    public String script(Op.State state) {
        StringBuilder src = new StringBuilder("def forward(self, x: Tensor) -> Tensor:\n");
        for (Op op : ops) src.append("    ").append(op.script(state)).append('\n');
        src.append("    return ").append(output).append('\n');
        return src.toString();
    }

    /**
     * The TorchScript expression of the submodule at a dotted path, {@code getattr(self.layer3, "4").conv1}: a
     * child named by digits is no identifier.
     */
    public static String moduleExpression(String path) {
        String e = "self";
        for (String part : path.split("\\.")) {
            e = Character.isDigit(part.charAt(0)) ? "getattr(" + e + ", \"" + part + "\")" : e + "." + part;
        }
        return e;
    }
}
