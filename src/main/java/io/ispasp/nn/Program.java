package io.ispasp.nn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** Runs ops {@code [from, to)} on the live registers {@code env}, which it updates. */
    public void run(Map<String, Tensor> env, int from, int to, Op.State state, boolean training) {
        Op.Registers regs = name -> {
            Tensor t = env.get(name);
            if (t == null) throw new IllegalStateException("register '" + name + "' is not set");
            return t;
        };
        for (int i = from; i < to; i++) {
            Op op = ops.get(i);
            env.put(op.out(), op.run(regs, state, training));
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
