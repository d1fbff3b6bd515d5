package io.ispasp.prune;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Target;
import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import org.bytedeco.pytorch.Tensor;

/**
 * One unit of an MLP as the selectors see it: hidden layer {@code unit} of the current (already partly pruned)
 * model, with A = layer {@code unit} + ReLU and B = layer {@code unit + 1}. Gives streaming access to the unit's
 * input, hidden activations H and target on the calibration data, batch by batch. Tensors returned are owned by
 * the caller's PointerScope.
 */
public final class UnitContext {
    private final Mlp model;
    private final Mlp original;
    private final int unit;
    private final Dataset calibration;
    private final PruneOptions options;

    public UnitContext(Mlp model, Mlp original, int unit, Dataset calibration, PruneOptions options) {
        if (unit < 0 || unit >= model.hiddenLayers()) throw new IllegalArgumentException("no hidden layer " + unit);
        this.model = model;
        this.original = original;
        this.unit = unit;
        this.calibration = calibration;
        this.options = options;
    }

    public Mlp model() { return model; }

    /** The dense model before any unit was pruned (same as model() for the first unit). */
    public Mlp original() { return original; }

    public int unit() { return unit; }

    public Dataset calibration() { return calibration; }

    public PruneOptions options() { return options; }

    /** N: groups (hidden channels) of this unit. */
    public int groups() { return model.hiddenSize(unit); }

    /** s: groups to keep. */
    public int keep() { return options.keep(groups()); }

    /** Output width of B. */
    public int outputs() { return model.sizes()[unit + 2]; }

    /**
     * Unit name in reports: the module path of the Linear whose outputs are the unit's groups in the model's
     * {@code nn.Sequential(Linear, ReLU, ...)} form, so "0" for the first hidden layer, "2" for the second ("1",
     * "3" after a leading nn.Flatten).
     */
    public String name() { return String.valueOf(model.moduleIndex(unit)); }

    /** Input X of the unit for calibration rows [from, to): the current pruned prefix's output. */
    public Tensor input(int from, int to) {
        return model.inputOf(calibration.features(from, to), unit);
    }

    /** H = A(X), non-negative, [rows, N]. */
    public Tensor hidden(Tensor input) {
        return model.linear(input, unit).relu();
    }

    /**
     * The target of B's output for these rows, bias removed (so S empty gives R = target): CURRENT is B_lin(H) of
     * the still-dense unit; ORIGINAL is the original dense network's pre-activation of layer unit+1 minus bias.
     */
    public Tensor targetMinusBias(int from, int to, Tensor hidden) {
        if (options.target() == Target.CURRENT) {
            return hidden.mm(model.weight(unit + 1).t());
        }
        Tensor x = original.inputOf(calibration.features(from, to), unit + 1);
        return original.linear(x, unit + 1).sub(model.bias(unit + 1));
    }

    /** B's weight [out, N]. */
    public Tensor bWeight() { return model.weight(unit + 1); }
}
