package io.ispasp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.model.LoadedModel;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp flops}: parameters and FLOPs of a conv net, counted from its shape alone (nothing is trained or
 * run), next to those of the same architecture unpruned. The shape comes from {@code --arch} and a layout, or from
 * a conv-net checkpoint ({@code --model}).
 */
@Command(name = "flops", mixinStandardHelpOptions = true,
        description = "Parameters and FLOPs (multiply-adds, fvcore convention) of a conv net and of its dense "
                + "counterpart, from --arch and a layout or from a checkpoint; prints JSON.")
final class FlopsCommand implements Callable<Integer> {
    /** Largest --input accepted; far beyond any real use, small enough that no count overflows. */
    static final int MAX_INPUT = 1 << 16;

    @Spec
    CommandSpec spec;

    @Option(names = "--arch", paramLabel = "NAME", description = "resnet18, resnet34 or mobilenetv2.")
    String arch;

    @Option(names = "--model", paramLabel = "FILE", description = "A conv net (checkpoint or TorchScript); its own shape is counted (not with --arch).")
    Path model;

    @Option(names = "--input", paramLabel = "N", description = "Square input size. Default: 224, or 32 for the CIFAR form.")
    Integer input;

    @Option(names = "--classes", paramLabel = "N", description = "Output classes. Default: 1000, or 10 with --cifar.")
    Integer classes;

    @Option(names = "--width", paramLabel = "W", description = "Width multiplier. Default: 1.0.")
    Double width;

    @Option(names = "--cifar", description = "The CIFAR form (3x3 stride-1 stem, no max-pool).")
    boolean cifar;

    @Option(names = "--layout", paramLabel = "LAYOUT",
            description = "Units to prune: reference, every (with --ratio), stages:r1,r2,r3,r4, stages-all:r1,r2,r3,r4 "
                    + "or blocks:NAME=R,... Default: dense, or every unit at --ratio when --ratio is given.")
    String layout;

    @Option(names = "--ratio", paramLabel = "R", description = "Fraction of groups kept per unit, in (0, 1] (layout every).")
    Double ratio;

    @Override
    public Integer call() throws Exception {
        ConvSpec net = model != null ? fromModel() : fromOptions();
        int size = input != null ? input : net.cifar() ? 32 : 224;
        if (size < 1 || size > MAX_INPUT) throw new IllegalArgumentException("--input must be in [1, " + MAX_INPUT + "], got " + size);
        ConvSpec dense = ConvSpec.dense(net.arch(), net.cifar(), net.classes(), net.width());
        Complexity c = Complexity.of(net, size);
        Complexity d = Complexity.of(dense, size);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("arch", net.arch().cliName());
        result.put("input", size);
        result.put("params", c.params());
        result.put("flops", c.flops());
        result.put("dense_params", d.params());
        result.put("dense_flops", d.flops());
        result.put("flops_ratio", (double) c.flops() / d.flops());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }

    /** The shape stored in the checkpoint; the file is read in full, so a damaged one is an error here too. */
    private ConvSpec fromModel() throws Exception {
        List<String> clashing = new ArrayList<>();
        if (arch != null) clashing.add("--arch");
        if (classes != null) clashing.add("--classes");
        if (width != null) clashing.add("--width");
        if (cifar) clashing.add("--cifar");
        if (layout != null) clashing.add("--layout");
        if (ratio != null) clashing.add("--ratio");
        if (!clashing.isEmpty()) {
            throw new IllegalArgumentException("--model takes the net's shape from the file; drop " + String.join(", ", clashing));
        }
        TorchRuntime.init();
        try (LoadedModel loaded = ModelFile.load(model)) {
            return loaded.conv().spec();
        }
    }

    /** The dense net of --arch, --cifar, --classes and --width, pruned by --layout / --ratio when given. */
    private ConvSpec fromOptions() {
        if (arch == null) throw new IllegalArgumentException("give --arch NAME (resnet18, resnet34, mobilenetv2) or --model FILE");
        boolean every = layout == null || layout.isBlank() || layout.equals("every");
        if (ratio != null && !every) {
            throw new IllegalArgumentException("--ratio goes with --layout every; layout '" + layout + "' carries its own ratios");
        }
        ConvSpec dense = ConvSpec.dense(Arch.parse(arch), cifar, classes != null ? classes : cifar ? 10 : 1000,
                width != null ? width : 1.0);
        if (layout == null && ratio == null) return dense;
        return Layout.parse(layout, dense, ratio).apply(dense);
    }
}
