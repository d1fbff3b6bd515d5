package io.ispasp.core;

/** How the i-SpaSP loop obtains its scores: explicit residuals per iteration, one-pass statistics, or by cost. */
public enum PathChoice implements CliName {
    DIRECT("direct"), STATISTICS("statistics"), AUTO("auto");

    private final String cliName;

    PathChoice(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static PathChoice parse(String s) {
        return CliName.parse(PathChoice.class, s, "path");
    }

    @Override
    public String toString() { return cliName; }
}
