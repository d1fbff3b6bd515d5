package io.ispasp.nn;

import java.util.List;

/**
 * Where a unit sits in a {@link Program} and what one of its groups couples; plain data, made by an
 * {@link Architecture}.
 * <p>Ops {@code [0, start)} compute the unit's input X into register {@code input}, the only register live there;
 * ops {@code [start, hiddenOp]} compute H (the output of the activation, op {@code hiddenOp}) from X alone; op
 * {@code bOp} is B's conv or Linear, reading H (ops between {@code hiddenOp} and {@code bOp} are identities in eval
 * mode, such as dropout). B's output may pass through an eval-mode BatchNorm {@code bNorm} (null when none): B's
 * linear part is then kappa * conv_B(H), kappa = gamma / sqrt(var + eps).
 *
 * @param name     the unit's name in reports and layouts ({@code layer1.0}, {@code layer1.0.conv2}, {@code features.6}, {@code 0})
 * @param hidden   module path of the module whose output channel c is group c (the BN before the activation where
 *                 there is one, else the conv or Linear); zeroing its weight and bias at a group silences the group
 * @param input    the register holding X at op {@code start}
 * @param start    first op of A
 * @param hiddenOp the op that writes H
 * @param bOp      B's conv or Linear
 * @param bNorm    module path of the BatchNorm after B, or null
 * @param coupled  every tensor one group removes and its dimension; the first entry is A's weight that makes the
 *                 group (its L1 norm is the magnitude criterion), B's weight is the one with dimension 1
 * @param stage    stage index for per-stage layouts (ResNets), -1 where the family has no stages
 * @param inner    whether the unit is in an inner block of its stage (blocks 1..n-2: the authors' stage layouts)
 * @param columns  columns of H (rows of {@code hidden}, of every coupled tensor) one group spans: 1 for a channel or a
 *                 neuron, a head's width for attention heads (group c = columns [c columns, (c + 1) columns))
 */
public record UnitSpec(String name, String hidden, String input, int start, int hiddenOp, int bOp, String bNorm,
                       List<Coupled> coupled, int stage, boolean inner, int columns) {
    public UnitSpec {
        coupled = List.copyOf(coupled);
        if (!(start <= hiddenOp && hiddenOp < bOp)) throw new IllegalArgumentException(name + ": ops out of order");
        if (columns < 1) throw new IllegalArgumentException(name + ": columns per group must be positive, got " + columns);
    }

    /** A unit whose groups are single channels or neurons. */
    public UnitSpec(String name, String hidden, String input, int start, int hiddenOp, int bOp, String bNorm,
                    List<Coupled> coupled, int stage, boolean inner) {
        this(name, hidden, input, start, hiddenOp, bOp, bNorm, coupled, stage, inner, 1);
    }

    /** A tensor coupled to the unit's groups, indexed by them along {@code dim}. */
    public record Coupled(String tensor, int dim) {}

    /** The name of A's weight that makes the groups. */
    public String aWeight() { return coupled.get(0).tensor(); }

    /** Whether a group spans several columns (attention heads): {@code --ratio} leaves such units dense, {@code --heads} sets them. */
    public boolean heads() { return columns > 1; }

    /** Groups of a coupled tensor that is {@code size} wide along its coupled dimension. */
    public int groupsOf(long size) {
        if (size % columns != 0) throw new IllegalArgumentException(name + ": width " + size + " is not a multiple of " + columns + " columns per group");
        return (int) (size / columns);
    }

    /** The coupled indices (columns of H) of {@code groups} (ascending): each group's {@code columns} columns in order. */
    public int[] columnsOf(int[] groups) {
        if (columns == 1) return groups.clone();
        int[] c = new int[groups.length * columns];
        for (int i = 0; i < groups.length; i++) for (int k = 0; k < columns; k++) c[i * columns + k] = groups[i] * columns + k;
        return c;
    }
}
