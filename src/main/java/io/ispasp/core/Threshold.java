package io.ispasp.core;

/**
 * How i-SpaSP cuts the merged candidate set (the top 2s plus the support, at most 3s groups) back to s groups.
 * MASS: the s of largest activation mass (the authors' rule). LSQ: CoSaMP's own step: ridge least squares of the
 * target on the whole merged set, then the s groups whose fitted contribution has the largest energy on the
 * calibration data (docs/design.md, section "Selection that knows the refit").
 */
public enum Threshold implements CliName {
    MASS("mass"), LSQ("lsq");

    private final String cliName;

    Threshold(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Threshold parse(String s) {
        return CliName.parse(Threshold.class, s, "threshold");
    }

    @Override
    public String toString() { return cliName; }
}
