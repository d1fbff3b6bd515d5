package io.ispasp.core;

/**
 * What a unit's pruned output is compared with. CURRENT: the still-dense unit on the already pruned prefix's
 * output (the authors' scheme). ORIGINAL: the original dense network's output of that unit (error-correcting).
 */
public enum Target implements CliName {
    CURRENT("current"), ORIGINAL("original");

    private final String cliName;

    Target(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Target parse(String s) {
        return CliName.parse(Target.class, s, "target");
    }

    @Override
    public String toString() { return cliName; }
}
