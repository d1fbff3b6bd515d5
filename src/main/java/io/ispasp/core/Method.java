package io.ispasp.core;

/** A way to choose which groups of a unit to keep. */
public enum Method implements CliName {
    /** iterative Sparse Structured Pruning (Wolfe and Kyrillidis). */
    ISPASP("ispasp"),
    /** Greedy forward selection (Ye et al. 2020), the provable baseline. */
    GFS("gfs"),
    /** Largest L1 norm of the unit's incoming filters (rows of A). */
    MAGNITUDE("magnitude"),
    /** Largest activation mass: sum of the hidden activation over the calibration data. */
    ACTIVATION("activation"),
    /** Uniformly random, seeded. */
    RANDOM("random"),
    /** FLAP-style: activation variance times the squared norm of B's column, with bias compensation (An et al. 2024). */
    FLAP("flap");

    private final String cliName;

    Method(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Method parse(String s) {
        return CliName.parse(Method.class, s, "method");
    }

    @Override
    public String toString() { return cliName; }
}
