package io.ispasp.core;

/**
 * How i-SpaSP scores a group against the residual R. With G = dL/dH (L = 0.5 ||R||^2, through the dense half
 * only, i.e. G is B's transpose applied to R):
 */
public enum Score implements CliName {
    /** Sum of G over data and positions (the authors' choice). */
    SIGNED_SUM("signed-sum"),
    /** L2 norm of G over data and positions, per group. */
    GROUP_NORM("group-norm"),
    /** Sum of H * G over data and positions (the CoSaMP proxy). */
    CORRELATION("correlation");

    private final String cliName;

    Score(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Score parse(String s) {
        return CliName.parse(Score.class, s, "score");
    }

    @Override
    public String toString() { return cliName; }
}
