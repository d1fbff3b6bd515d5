package io.ispasp.core;

/**
 * Named settings of i-SpaSP. BEST: the engine's default, the best pruned model without fine-tuning as measured
 * (README, "Which measurements chose the defaults"): refit of B's kept columns with an intercept, least-squares
 * thresholding, best iterate, each unit matched to the original network (so later units correct earlier ones).
 * PAPER: the authors' procedure exactly: signed-sum score, activation-mass threshold, no refit, no bias
 * compensation, current target, the last iterate. A run whose settings are neither is reported as CUSTOM.
 */
public enum Variant implements CliName {
    BEST("best"), PAPER("paper"), CUSTOM("custom");

    private final String cliName;

    Variant(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    /** BEST or PAPER by name; CUSTOM only describes a run, it cannot be asked for. */
    public static Variant parse(String s) {
        Variant v = CliName.parse(Variant.class, s, "variant");
        if (v == CUSTOM) throw new IllegalArgumentException("unknown variant 'custom' (expected one of best, paper)");
        return v;
    }

    /** Sets the selection settings this variant fixes; the score of BEST is the family's (set by the caller). */
    public PruneOptions.Builder applyTo(PruneOptions.Builder b) {
        return switch (this) {
            case BEST -> b.threshold(Threshold.LSQ).refit(true).biasCompensation(true).bestIterate(true)
                    .target(Target.ORIGINAL);
            case PAPER -> b.score(Score.SIGNED_SUM).threshold(Threshold.MASS).refit(false).biasCompensation(false)
                    .bestIterate(false).target(Target.CURRENT);
            case CUSTOM -> b;
        };
    }

    /** Which variant {@code o}'s i-SpaSP settings are (the score of BEST may be any). */
    public static Variant of(PruneOptions o) {
        boolean paper = o.score() == Score.SIGNED_SUM && o.threshold() == Threshold.MASS && !o.refit()
                && !o.biasCompensation() && !o.bestIterate() && o.target() == Target.CURRENT;
        if (paper) return PAPER;
        boolean best = o.threshold() == Threshold.LSQ && o.refit() && o.biasCompensation() && o.bestIterate()
                && o.target() == Target.ORIGINAL;
        return best ? BEST : CUSTOM;
    }

    @Override
    public String toString() { return cliName; }
}
