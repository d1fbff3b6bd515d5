package io.ispasp.api;

/** How the i-SpaSP loop obtains its scores: explicit residuals per iteration, one-pass statistics, or by cost. */
public enum PathChoice {
    DIRECT("direct"), STATISTICS("statistics"), AUTO("auto");

    private final String cliName;

    PathChoice(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static PathChoice parse(String s) {
        for (PathChoice v : values()) if (v.cliName.equalsIgnoreCase(s)) return v;
        throw new IllegalArgumentException("unknown path '" + s + "' (expected direct, statistics or auto)");
    }

    @Override
    public String toString() { return cliName; }
}
