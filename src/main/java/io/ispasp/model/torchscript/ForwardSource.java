package io.ispasp.model.torchscript;

import java.util.Locale;

import io.ispasp.model.Mlp;
import io.ispasp.model.conv.ConvSpec;

/**
 * TorchScript source of the forward pass of an engine model, written against torchvision's module tree: the
 * parameters are reached as {@code self.layer3.4.conv1.weight} (spelled {@code getattr(..., "4")}, since a
 * digit is not an identifier). BN and dropout follow {@code self.training}, so the exported module can be
 * fine-tuned in Python as well as run in eval mode. The ops are the ones {@link io.ispasp.model.conv.ConvNet}
 * runs, so the engine and the export agree to float rounding.
 */
final class ForwardSource {
    private final StringBuilder src = new StringBuilder("def forward(self, x: Tensor) -> Tensor:\n");

    private ForwardSource() {}

    static String of(ConvSpec spec) {
        ForwardSource f = new ForwardSource();
        if (spec.arch().isResNet()) f.resnet(spec);
        else f.mobilenet(spec);
        return f.src.toString();
    }

    /** An {@code nn.Sequential([Flatten,] Linear, ReLU, ..., Linear)}: Linear {@code l} is child {@code moduleIndex(l)}. */
    static String of(Mlp mlp) {
        ForwardSource f = new ForwardSource();
        if (mlp.firstModule() == 1) f.line("x = torch.flatten(x, 1)");
        for (int l = 0; l < mlp.layers(); l++) {
            String m = module(String.valueOf(mlp.moduleIndex(l)));
            f.line("x = torch.linear(x, " + m + ".weight, " + m + ".bias)");
            if (l + 1 < mlp.layers()) f.line("x = torch.relu(x)");
        }
        f.line("return x");
        return f.src.toString();
    }

    private void resnet(ConvSpec spec) {
        if (spec.cifar()) conv("x", "x", "conv1", 1, 1, 1);
        else conv("x", "x", "conv1", 2, 3, 1);
        bn("x", "x", "bn1");
        line("x = torch.relu(x)");
        if (!spec.cifar()) line("x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)");
        for (ConvSpec.Block b : spec.blocks()) {
            String p = b.name() + ".";
            conv("h", "x", p + "conv1", b.stride(), 1, 1);
            bn("h", "h", p + "bn1");
            line("h = torch.relu(h)");
            conv("h", "h", p + "conv2", 1, 1, 1);
            bn("h", "h", p + "bn2");
            if (b.downsample()) {
                conv("x", "x", p + "downsample.0", b.stride(), 0, 1);
                bn("x", "x", p + "downsample.1");
            }
            line("x = torch.relu(h + x)");
        }
        line("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
        line("return torch.linear(x, " + module("fc") + ".weight, " + module("fc") + ".bias)");
    }

    private void mobilenet(ConvSpec spec) {
        conv("x", "x", "features.0.0", spec.cifar() ? 1 : 2, 1, 1);
        bn("x", "x", "features.0.1");
        relu6("x");
        for (ConvSpec.Block b : spec.blocks()) {
            String p = b.name() + ".conv.";
            String in = "x";
            int dw = 0;
            if (b.expansion() != 1) {
                conv("h", "x", p + "0.0", 1, 0, 1);
                bn("h", "h", p + "0.1");
                relu6("h");
                in = "h";
                dw = 1;
            }
            conv("h", in, p + dw + ".0", b.stride(), 1, b.hidden());
            bn("h", "h", p + dw + ".1");
            relu6("h");
            int project = dw + 1;
            conv("h", "h", p + project, 1, 0, 1);
            bn("h", "h", p + (project + 1));
            line(b.residual() ? "x = x + h" : "x = h");
        }
        String last = "features." + (spec.blocks().size() + 1);
        conv("x", "x", last + ".0", 1, 0, 1);
        bn("x", "x", last + ".1");
        relu6("x");
        line("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
        line("x = torch.dropout(x, 0.2, self.training)");
        line("return torch.linear(x, " + module("classifier.1") + ".weight, " + module("classifier.1") + ".bias)");
    }

    private void conv(String out, String in, String path, int stride, int pad, int groups) {
        line(String.format(Locale.ROOT, "%s = torch.conv2d(%s, %s.weight, None, [%d, %d], [%d, %d], [1, 1], %d)",
                out, in, module(path), stride, stride, pad, pad, groups));
    }

    private void bn(String out, String in, String path) {
        String m = module(path);
        line(String.format(Locale.ROOT, "%s = torch.batch_norm(%s, %s.weight, %s.bias, %s.running_mean, %s.running_var, "
                + "self.training, 0.1, 1e-05, True)", out, in, m, m, m, m));
    }

    private void relu6(String x) {
        line(x + " = torch.hardtanh(" + x + ", 0.0, 6.0)");
    }

    private void line(String code) {
        src.append("    ").append(code).append('\n');
    }

    /** The TorchScript expression of the submodule at a dotted path: {@code getattr(self.layer3, "4").conv1}. */
    static String module(String path) {
        String e = "self";
        for (String part : path.split("\\.")) {
            e = Character.isDigit(part.charAt(0)) ? "getattr(" + e + ", \"" + part + "\")" : e + "." + part;
        }
        return e;
    }
}
