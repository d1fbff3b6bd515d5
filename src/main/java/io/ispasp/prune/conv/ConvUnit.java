package io.ispasp.prune.conv;

import io.ispasp.core.PruneOptions;
import io.ispasp.engine.Tensors;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * One unit of a conv net as the selectors see it (SPEC section 1): block {@link #name()} of the current, already
 * partly pruned net, with A = the layers that make the block's hidden channels H and B = the conv + eval-mode BN
 * after them, before the residual add. Gives streaming access to X, H and the target on the calibration images.
 * The target is the still-dense unit's B_lin(H) = kappa * conv_B(H) on the current prefix's output (the authors'
 * scheme), so an empty support gives R = target. Tensors returned belong to the caller's PointerScope.
 */
public final class ConvUnit {
    private final ConvNet net;
    private final int unit;
    private final int keep;
    private final Calibration calibration;
    private final PruneOptions options;

    public ConvUnit(ConvNet net, int unit, int keep, Calibration calibration, PruneOptions options) {
        ConvSpec spec = net.spec();
        if (unit < 0 || unit >= spec.units()) throw new IllegalArgumentException("no unit " + unit);
        if (keep < 1 || keep > spec.inner(unit)) throw new IllegalArgumentException("keep " + keep + " outside [1, " + spec.inner(unit) + "]");
        this.net = net;
        this.unit = unit;
        this.keep = keep;
        this.calibration = calibration;
        this.options = options;
    }

    public ConvNet net() { return net; }

    public int unit() { return unit; }

    public Calibration calibration() { return calibration; }

    public PruneOptions options() { return options; }

    /** N: hidden channels of the unit. */
    public int groups() { return net.spec().inner(unit); }

    /** s: channels to keep. */
    public int keep() { return keep; }

    /** B's output channels. */
    public int outputs() { return net.spec().unitBlock(unit).out(); }

    /** B's kernel taps: 9 for a 3x3 conv (ResNets), 1 for a 1x1 conv (MobileNetV2). */
    public int taps() { return net.outputTaps(unit); }

    /** torchvision module path of the block, e.g. {@code layer3.4} or {@code features.6}. */
    public String name() { return net.spec().unitNames().get(unit); }

    /** Positions per image of H (height x width), from one calibration image. */
    public long positions() {
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
             org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            Tensor h = hidden(input(0, 1));
            return h.size(2) * h.size(3);
        }
    }

    /** The block's input X for calibration images [from, to). */
    public Tensor input(int from, int to) { return net.unitInput(calibration.images(from, to), unit); }

    /** H = A(X), [rows, N, h, w], non-negative. */
    public Tensor hidden(Tensor input) { return net.hidden(input, unit); }

    /** a[c] = sum of H[c] over the calibration images and positions, float64 (the activation baseline's score). */
    public double[] activationMass() {
        double[] mass = new double[groups()];
        int rows = calibration().size(), batch = options().batchSize();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = hidden(input(from, Math.min(rows, from + batch)));
                    Tensors.accumulate(mass, Tensors.channelSums(h));
                }
            }
        }
        return mass;
    }

    /** The target B_lin(H) of the still-dense unit, [rows, out, h, w]. */
    public Tensor target(Tensor hidden) { return net.outputLinear(hidden, unit); }
}
