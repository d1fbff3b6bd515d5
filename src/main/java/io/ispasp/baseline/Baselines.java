package io.ispasp.baseline;

import io.ispasp.prune.Importance;
import io.ispasp.prune.Selector;

/**
 * The baselines beside i-SpaSP, for every kind of unit: magnitude (the L1 norm of A's weight that makes each group:
 * conv1, an expand conv, a Linear's row), activation mass (a = sum of H over the calibration data and positions),
 * random ({@link RandomSelector}), GFS ({@link GfsSelector}) and a FLAP-style fluctuation score with bias compensation
 * ({@link FlapSelector}).
 */
public final class Baselines {
    private Baselines() {}

    /** Magnitude as an importance function. */
    public static final Importance MAGNITUDE = unit -> unit.unit().filterNorms();

    /** Activation mass as an importance function. */
    public static final Importance ACTIVATION = unit -> unit.activationMass();

    public static Selector magnitude() { return Importance.selector(MAGNITUDE); }

    public static Selector activation() { return Importance.selector(ACTIVATION); }

    public static Selector random() { return new RandomSelector(); }

    public static Selector gfs() { return new GfsSelector(); }

    public static Selector flap() { return new FlapSelector(); }
}
