package io.ispasp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp flops}: parameters and FLOPs of a network, counted from its shape alone (nothing is trained or run),
 * next to those of the same architecture unpruned. The shape comes from {@code --arch} and a layout, or from a
 * model file ({@code --model}).
 */
@Command(name = "flops", mixinStandardHelpOptions = true,
        description = "Parameters and FLOPs (multiply-adds, fvcore convention) of a network and of its dense "
                + "counterpart, from --arch and a layout or from a model file; prints JSON.")
final class FlopsCommand implements Callable<Integer> {
    /** Largest --input accepted; far beyond any real use, small enough that no count overflows. */
    static final int MAX_INPUT = 1 << 16;

    @Spec
    CommandSpec spec;

    @Option(names = "--arch", paramLabel = "NAME", description = "An image model by torchvision name: resnet18/34/50/101/152, "
            + "wide_resnet50_2/101_2, mobilenet_v2 (or mobilenetv2), vgg11/13/16/19 with or without _bn.")
    String arch;

    @Option(names = "--model", paramLabel = "FILE", description = "A model file (checkpoint or TorchScript); its own shape is counted (not with --arch).")
    Path model;

    @Option(names = "--input", paramLabel = "N", description = "Square input size. Default: 224, or 32 for the CIFAR form.")
    Integer input;

    @Option(names = "--classes", paramLabel = "N", description = "Output classes. Default: 1000, or 10 with --cifar.")
    Integer classes;

    @Option(names = "--width", paramLabel = "W", description = "Width multiplier. Default: 1.0.")
    Double width;

    @Option(names = "--cifar", description = "The CIFAR form (3x3 stride-1 stem, no max-pool; VGG: 1x1 pool, 512-wide classifier).")
    boolean cifar;

    @Option(names = "--layout", paramLabel = "LAYOUT",
            description = "Units to prune: reference, every (with --ratio), stages:r1,r2,r3,r4, stages-all:r1,r2,r3,r4 "
                    + "or units:NAME=R,... Default: dense, or every unit at --ratio when --ratio is given.")
    String layout;

    @Option(names = "--ratio", paramLabel = "R", description = "Fraction of groups kept per unit, in (0, 1] (layout every).")
    Double ratio;

    @Override
    public Integer call() throws Exception {
        Architecture a;
        int[] widths;
        if (model != null) {
            refuseShapeOptions();
            TorchRuntime.init();
            try (Network net = ModelFile.load(model)) {
                a = net.architecture();
                widths = net.widths();
            }
        } else {
            if (arch == null) throw new IllegalArgumentException("give --arch NAME (" + String.join(", ", Architectures.names()) + ") or --model FILE");
            a = Architectures.image(arch, cifar, width != null ? width : 1.0, classes != null ? classes : cifar ? 10 : 1000);
            boolean every = layout == null || layout.isBlank() || layout.equals("every");
            if (ratio != null && !every) {
                throw new IllegalArgumentException("--ratio goes with --layout every; layout '" + layout + "' carries its own ratios");
            }
            widths = a.blueprint().widths();
            if (layout != null || ratio != null) widths = Layout.parse(layout, a, ratio).widths(widths);
        }
        int size = input != null ? input : a.nativeInput() == 0 ? 1 : a.nativeInput();
        if (size < 1 || size > MAX_INPUT) throw new IllegalArgumentException("--input must be in [1, " + MAX_INPUT + "], got " + size);
        Complexity c = Complexity.of(a, size, widths);
        Complexity d = Complexity.of(a, size, a.blueprint().widths());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("arch", a.describe());
        result.put("input", a.nativeInput() == 0 ? 0 : size);
        result.put("params", c.params());
        result.put("flops", c.flops());
        result.put("dense_params", d.params());
        result.put("dense_flops", d.flops());
        result.put("flops_ratio", (double) c.flops() / d.flops());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }

    private void refuseShapeOptions() {
        List<String> clashing = new ArrayList<>();
        if (arch != null) clashing.add("--arch");
        if (classes != null) clashing.add("--classes");
        if (width != null) clashing.add("--width");
        if (cifar) clashing.add("--cifar");
        if (layout != null) clashing.add("--layout");
        if (ratio != null) clashing.add("--ratio");
        if (!clashing.isEmpty()) {
            throw new IllegalArgumentException("--model takes the network's shape from the file; drop " + String.join(", ", clashing));
        }
    }
}
