package io.ispasp.bench.latency;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp bench random-net}: a network of any known architecture with random weights (its family's
 * initialisation, seeded), dense or pruned by a layout with {@link MagnitudePruning}, for latency measurements
 * where the weights' values do not matter. Written as a checkpoint, or as TorchScript when the file name ends in
 * .pt, .pth or .ts. Prints the shape's parameters and FLOPs as JSON.
 */
@Command(name = "ispasp bench random-net", description = "Writes a random network (checkpoint, or TorchScript for .pt/.pth/.ts), "
        + "dense or magnitude-pruned by --layout or --ratio (latency benchmarks).")
public final class RandomNetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit (through bench: 'bench random-net -- --help').")
    boolean help;

    @Option(names = "--arch", required = true, paramLabel = "NAME", description = "An image model by torchvision name (resnet18 ... "
            + "resnet152, wide_resnet50_2, mobilenet_v2, vgg11 ... vgg19_bn; any of Architectures.names()), or mlp (with --sizes).")
    String arch;

    @Option(names = "--cifar", description = "Image models: the CIFAR form (32x32 inputs) instead of the ImageNet form (224x224).")
    boolean cifar;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1.0", description = "Image models: width multiplier. Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--classes", paramLabel = "N", description = "Image models: output classes. Default: 1000, or 10 with --cifar.")
    Integer classes;

    @Option(names = "--sizes", split = ",", paramLabel = "IN,H,...,OUT", description = "mlp: layer sizes of a ReLU MLP (e.g. 784,1024,10).")
    List<Integer> sizes;

    @Option(names = "--layout", paramLabel = "LAYOUT", description = "Units to prune (as in prune --layout, e.g. reference); "
            + "with neither --layout nor --ratio: dense.")
    String layout;

    @Option(names = "--ratio", paramLabel = "R", description = "Fraction of groups kept per unit (every unit, or with --layout every).")
    Double ratio;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Checkpoint (or .pt/.pth/.ts TorchScript) to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Architecture dense = architecture();
        Layout l = layout == null && ratio == null ? null : Layout.parse(layout, dense, ratio);
        TorchRuntime.init();
        try (OutputTransaction outputs = OutputTransaction.of(ModelFile.output("--out", out)); Network net = Network.random(dense, seed);
             Network pruned = l == null ? net.copy() : MagnitudePruning.prune(net, l)) {
            ModelFile.save(pruned, out, outputs);
            outputs.commit();
            int size = dense.nativeInput();
            Complexity c = pruned.complexity(size);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("file", out.toString());
            info.put("arch", dense.describe());
            info.put("layout", l == null ? "dense" : layout != null ? layout : "every:" + ratio);
            info.put("input", size);
            info.put("params", c.params());
            info.put("flops", c.flops());
            info.put("dense_flops", net.complexity(size).flops());
            info.put("widths", pruned.widths());
            spec.commandLine().getOut().println(Json.toJson(info));
        }
        return 0;
    }

    private Architecture architecture() {
        if (arch.equalsIgnoreCase("mlp")) {
            if (sizes == null) throw new IllegalArgumentException("--arch mlp needs --sizes IN,H,...,OUT");
            return Mlp.relu(sizes.stream().mapToInt(Integer::intValue).toArray());
        }
        if (sizes != null) throw new IllegalArgumentException("--sizes is for --arch mlp, not " + arch);
        return Architectures.image(arch, cifar, width, classes != null ? classes : cifar ? 10 : 1000);
    }
}
