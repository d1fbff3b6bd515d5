package io.ispasp.api;

/**
 * What a unit's pruned output is compared with. CURRENT: the still-dense unit on the already pruned prefix's
 * output (the authors' scheme). ORIGINAL: the original dense network's output of that unit (error-correcting).
 */
public enum Target {
    CURRENT("current"), ORIGINAL("original");

    private final String cliName;

    Target(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static Target parse(String s) {
        for (Target v : values()) if (v.cliName.equalsIgnoreCase(s)) return v;
        throw new IllegalArgumentException("unknown target '" + s + "' (expected current or original)");
    }

    @Override
    public String toString() { return cliName; }
}
