package io.ispasp.kernels;

/**
 * What a unit kernel is built from: the statistics (a, Gamma) and B's weight W [out x n] (with any eval-BN
 * scale folded in), all row-major float64. For the ORIGINAL target also cross = sum h z^T [n x out],
 * zsum = sum z [out], szz = sum z z^T [out x out] and zz = sum ||z||^2; for the CURRENT target these are null
 * (the kernel derives them from z = W h).
 */
public record UnitInputs(int groups, int outputs, double[] gram, double[] mass, double[] weight,
                         double[] cross, double[] zsum, double[] szz, double zz) {
    public UnitInputs {
        long nn = (long) groups * groups;
        require(gram.length == nn, "gram", gram.length, nn);
        require(mass.length == groups, "mass", mass.length, groups);
        require(weight.length == (long) outputs * groups, "weight", weight.length, (long) outputs * groups);
        boolean any = cross != null || zsum != null || szz != null;
        if (any && (cross == null || zsum == null || szz == null))
            throw new IllegalArgumentException("target statistics: give cross, zsum and szz together, or none");
        if (any) {
            require(cross.length == (long) groups * outputs, "cross", cross.length, (long) groups * outputs);
            require(zsum.length == outputs, "zsum", zsum.length, outputs);
            require(szz.length == (long) outputs * outputs, "szz", szz.length, (long) outputs * outputs);
        }
    }

    /** Inputs for the CURRENT target (z = W h). */
    public static UnitInputs current(int groups, int outputs, double[] gram, double[] mass, double[] weight) {
        return new UnitInputs(groups, outputs, gram, mass, weight, null, null, null, 0);
    }

    public boolean hasTargetStatistics() { return cross != null; }

    private static void require(boolean ok, String what, long got, long want) {
        if (!ok) throw new IllegalArgumentException(what + " has " + got + " values, expected " + want);
    }
}
