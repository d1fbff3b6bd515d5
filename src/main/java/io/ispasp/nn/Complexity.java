package io.ispasp.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Parameters and FLOPs of a network, counted from its program and tensor shapes by propagating one sample's shape.
 * <p>Convention (fvcore's, which the paper's table uses): one multiply-add counts as one FLOP for convolutions and
 * Linear layers (biases not counted; a Linear over tokens counts per token); an eval-mode BatchNorm or a LayerNorm counts
 * 2 per output element, an encoder's embeddings 2 per element (their LayerNorm), self-attention its three projections
 * plus 2 seq^2 width for the scores and the context (one sample = one sequence, every token real); activations, additions,
 * pooling and dropout count 0. This gives 3.67 G for ResNet34 and 314.1 M for MobileNetV2 at 224x224. Parameters
 * are the trainable tensors (weights, biases, BN weight and bias), not BN running statistics. The same pass checks
 * that every op's input fits its weights, so a state with inconsistent shapes is an error naming the module.
 *
 * @param params trainable parameters
 * @param flops  multiply-adds for one sample
 */
public record Complexity(long params, long flops) {

    /** The dense {@code arch} with unit {@code u} cut to {@code widths[u]} groups, at image side {@code size}; no tensors made. */
    public static Complexity of(Architecture arch, int size, int[] widths) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : arch.blueprint().shapes().entrySet()) shapes.put(e.getKey(), e.getValue().clone());
        return of(arch, shapes, size, widths);
    }

    /** {@code shapes} (modified) with unit {@code u} cut to {@code widths[u]} groups (of the unit's columns each). */
    static Complexity of(Architecture arch, Map<String, long[]> shapes, int size, int[] widths) {
        java.util.List<UnitSpec> units = arch.blueprint().units();
        if (widths.length != units.size()) throw new IllegalArgumentException(widths.length + " widths for " + units.size() + " units");
        for (int u = 0; u < widths.length; u++) {
            for (UnitSpec.Coupled c : units.get(u).coupled()) shapes.get(c.tensor())[c.dim()] = (long) widths[u] * units.get(u).columns();
        }
        return of(arch.blueprint().program(), shapes, arch.inputShape(size));
    }

    /** Counts a program over tensors of the given shapes, for one sample of shape {@code input}. */
    public static Complexity of(Program program, Map<String, long[]> shapes, long[] input) {
        long params = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (Blueprint.isParameter(e.getKey())) params += Init.count(e.getValue());
        }
        Map<String, long[]> regs = new HashMap<>();
        regs.put(Program.INPUT, input.clone());
        return new Complexity(params, walk(program, shapes, regs, program.size()));
    }

    /**
     * The shape of register {@code register} for one sample of shape {@code input} just before op {@code before}
     * runs; no tensors made (a forward of one sample would do it, but oneDNN crashes on some batch-1 convolutions).
     */
    public static long[] registerShape(Program program, Map<String, long[]> shapes, long[] input, int before, String register) {
        Map<String, long[]> regs = new HashMap<>();
        regs.put(Program.INPUT, input.clone());
        walk(program, shapes, regs, before);
        long[] shape = regs.get(register);
        if (shape == null) throw new IllegalArgumentException("register '" + register + "' is not set before op " + before);
        return shape.clone();
    }

    /** Runs the shapes of ops {@code [0, to)} through {@code regs}; the FLOPs they cost. */
    private static long walk(Program program, Map<String, long[]> shapes, Map<String, long[]> regs, int to) {
        long flops = 0;
        for (Op op : program.ops().subList(0, to)) {
            long[] x = regs.get(op.inputs().get(0));
            long[] y;
            if (op instanceof Op.Conv c) {
                long[] w = shapes.get(c.module() + ".weight");
                long groups = c.depthwise() ? w[0] : 1;
                if (x.length != 3 || w[1] * groups != x[0]) {
                    throw mismatch(c.module(), "input " + Arrays.toString(x) + " does not fit weight " + Arrays.toString(w));
                }
                long ho = (x[1] + 2L * c.pad() - w[2]) / c.stride() + 1;
                long wo = (x[2] + 2L * c.pad() - w[3]) / c.stride() + 1;
                if (ho < 1 || wo < 1) throw mismatch(c.module(), "input " + Arrays.toString(x) + " is too small");
                flops += Init.count(w) * ho * wo;
                y = new long[] {w[0], ho, wo};
            } else if (op instanceof Op.BatchNorm b) {
                long c = shapes.get(b.module() + ".weight")[0];
                if (x[0] != c) throw mismatch(b.module(), "input " + Arrays.toString(x) + " has not " + c + " channels");
                flops += 2 * Init.count(x);
                y = x;
            } else if (op instanceof Op.Linear l) {
                long[] w = shapes.get(l.module() + ".weight");
                if (x.length < 1 || x[x.length - 1] != w[1]) {
                    throw mismatch(l.module(), "input " + Arrays.toString(x) + " does not fit weight " + Arrays.toString(w));
                }
                flops += w[0] * w[1] * (Init.count(x) / w[1]);   // per row ([features], or [tokens, features])
                y = x.clone();
                y[y.length - 1] = w[0];
            } else if (op instanceof Op.Embeddings e) {
                long hidden = shapes.get(e.module() + ".word_embeddings.weight")[1];
                y = new long[] {x[0], hidden};
                flops += 2 * Init.count(y);
            } else if (op instanceof Op.LayerNorm n) {
                long[] w = shapes.get(n.module() + ".weight");
                if (x[x.length - 1] != w[0]) throw mismatch(n.module(), "input " + Arrays.toString(x) + " has not " + w[0] + " features");
                flops += 2 * Init.count(x);
                y = x;
            } else if (op instanceof Op.SelfAttention a) {
                long[] q = shapes.get(a.module() + ".query.weight");
                if (x.length != 2 || x[1] != q[1]) {
                    throw mismatch(a.module(), "input " + Arrays.toString(x) + " does not fit query weight " + Arrays.toString(q));
                }
                flops += 3 * x[0] * q[1] * q[0] + 2 * x[0] * x[0] * q[0];   // query, key, value; scores and context
                y = new long[] {x[0], q[0]};
            } else if (op instanceof Op.TokenAdd a) {
                long[] other = regs.get(a.b());
                if (!Arrays.equals(x, other)) throw mismatch(a.out(), "adds " + Arrays.toString(x) + " and " + Arrays.toString(other));
                y = x;
            } else if (op instanceof Op.MaxPool p) {
                y = new long[] {x[0], (x[1] + 2L * p.pad() - p.kernel()) / p.stride() + 1,
                    (x[2] + 2L * p.pad() - p.kernel()) / p.stride() + 1};
            } else if (op instanceof Op.AvgPool a) {
                y = new long[] {x[0], a.size(), a.size()};
            } else if (op instanceof Op.Flatten) {
                y = new long[] {Init.count(x)};
            } else if (op instanceof Op.Add a) {
                long[] other = regs.get(a.b());
                if (!Arrays.equals(x, other)) {
                    throw mismatch(a.out(), "adds " + Arrays.toString(x) + " and " + Arrays.toString(other));
                }
                y = x;
            } else {
                y = x; // activations and dropout keep the shape
            }
            regs.put(op.out(), y);
        }
        return flops;
    }

    private static IllegalArgumentException mismatch(String module, String what) {
        return new IllegalArgumentException("module '" + module + "': " + what);
    }
}
