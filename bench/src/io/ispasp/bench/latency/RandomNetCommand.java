package io.ispasp.bench.latency;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.AtomicFiles;
import io.ispasp.io.Json;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvCheckpoint;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp bench random-net}: a conv-net checkpoint with random weights (torchvision's initialisation, seeded),
 * dense or pruned by a layout with {@link MagnitudePruning}, for latency measurements where the weights' values do
 * not matter. Prints the shape's parameters and FLOPs as JSON.
 */
@Command(name = "ispasp bench random-net", description = "Writes a random conv-net checkpoint, dense or magnitude-pruned by --layout (latency benchmarks).")
public final class RandomNetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit (through bench: 'bench random-net -- --help').")
    boolean help;

    @Option(names = "--arch", required = true, paramLabel = "NAME", description = "resnet18, resnet34 or mobilenetv2.")
    String arch;

    @Option(names = "--cifar", description = "The CIFAR form (32x32 inputs) instead of the ImageNet form (224x224).")
    boolean cifar;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1.0", description = "Width multiplier. Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--classes", paramLabel = "N", description = "Output classes. Default: 1000, or 10 with --cifar.")
    Integer classes;

    @Option(names = "--layout", paramLabel = "LAYOUT", description = "Units to prune (as in prune --layout, e.g. reference); none: dense.")
    String layout;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Checkpoint to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ConvSpec dense = ConvSpec.dense(Arch.parse(arch), cifar, classes != null ? classes : cifar ? 10 : 1000, width);
        Layout l = layout == null ? null : Layout.parse(layout, dense, null);
        AtomicFiles.checkWritable(out, "--out");
        TorchRuntime.init();
        try (ConvNet net = ConvNet.random(dense, seed); ConvNet pruned = l == null ? net.copy() : MagnitudePruning.prune(net, l)) {
            ConvCheckpoint.save(pruned, out);
            int size = cifar ? LatencyModels.CIFAR_SIZE : LatencyModels.IMAGENET_SIZE;
            Complexity c = Complexity.of(pruned.spec(), size);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("file", out.toString());
            info.put("arch", dense.arch().cliName());
            info.put("layout", layout == null ? "dense" : layout);
            info.put("input", size);
            info.put("params", c.params());
            info.put("flops", c.flops());
            info.put("dense_flops", Complexity.of(dense, size).flops());
            spec.commandLine().getOut().println(Json.toJson(info));
        }
        return 0;
    }
}
