package io.ispasp.nn;

import java.util.Locale;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The elementwise activations a unit's A may end with. {@code LEAKY_RELU} uses PyTorch's default slope 0.01
 * unless the architecture gives another; the others have no parameter.
 */
public enum Activation {
    RELU("relu"), RELU6("relu6"), LEAKY_RELU("leaky_relu"), GELU("gelu"), SILU("silu"), TANH("tanh");

    private final String text;

    Activation(String text) { this.text = text; }

    public String text() { return text; }

    /** By name as written in architecture descriptions ({@code relu}, {@code gelu}, ...); null when unknown. */
    public static Activation byName(String name) {
        for (Activation a : values()) if (a.text.equals(name.toLowerCase(Locale.ROOT))) return a;
        return null;
    }

    /** Whether every output is >= 0 (then a group's activation mass is the L1 norm of its activations). */
    public boolean nonNegative() { return this == RELU || this == RELU6; }

    Tensor apply(Tensor x, double slope) {
        return switch (this) {
            case RELU -> x.relu();
            case RELU6 -> torch.hardtanh(x, new Scalar(0.0), new Scalar(6.0));
            case LEAKY_RELU -> torch.leaky_relu(x, new Scalar(slope));
            case GELU -> torch.gelu(x);
            case SILU -> torch.silu(x);
            case TANH -> torch.tanh(x);
        };
    }

    /** The TorchScript expression applying this activation to {@code x}. */
    String script(String x, double slope) {
        return switch (this) {
            case RELU -> "torch.relu(" + x + ")";
            case RELU6 -> "torch.hardtanh(" + x + ", 0.0, 6.0)";
            case LEAKY_RELU -> String.format(Locale.ROOT, "torch.leaky_relu(%s, %s)", x, Double.toString(slope));
            case GELU -> "torch.gelu(" + x + ")";
            case SILU -> "torch.silu(" + x + ")";
            case TANH -> "torch.tanh(" + x + ")";
        };
    }
}
