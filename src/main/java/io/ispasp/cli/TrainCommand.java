package io.ispasp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp train}: trains a dense network of any family and saves it. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a dense network (an MLP on MNIST, or any image family on CIFAR-10) with the family's recipe; save it.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--arch", defaultValue = "mlp", description = "mlp, or an image model by torchvision name: resnet18/34/50/101/152, "
            + "wide_resnet50_2/101_2, mobilenet_v2, vgg11/13/16/19[_bn]. Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--width", defaultValue = "1.0", description = "Image models: width multiplier of every layer (0.25 trains "
            + "about 16x faster on a CPU). Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--form", defaultValue = "cifar", description = "Image models: cifar (for 32x32 images: 3x3 stride-1 stem, no "
            + "max-pool; VGG: 1x1 pool and a 512-wide classifier) or imagenet (torchvision's). Default: ${DEFAULT-VALUE}.")
    String form;

    @Option(names = "--weight-decay", description = "Image models: SGD weight decay (BN and biases exempt). Default: 5e-4, "
            + "4e-5 for mobilenet_v2 (the authors').")
    Double weightDecay;

    @Option(names = "--hidden", defaultValue = "1024", split = ",", paramLabel = "N[,N...]",
            description = "MLP hidden layer widths, input to output, e.g. 1024,1024. Default: ${DEFAULT-VALUE}.")
    List<Integer> hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "MLP activation: relu, relu6, leaky_relu, gelu, silu or tanh. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--epochs", defaultValue = "3", description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--lr", defaultValue = "0.05", description = "Peak learning rate (cosine decay to 0). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", defaultValue = "128", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the trained model (TorchScript for .pt/.pth/.ts, else a checkpoint).")
    Path out;

    @Override
    public Integer call() throws Exception {
        boolean mlp = "mlp".equalsIgnoreCase(arch);
        boolean cifar = switch (form) {
            case "cifar" -> true;
            case "imagenet" -> false;
            default -> throw new IllegalArgumentException("unknown --form '" + form + "' (expected cifar or imagenet)");
        };
        try (OutputTransaction outputs = OutputTransaction.of(ModelFile.output("--out", out))) {
            return train(outputs, mlp, cifar);
        }
    }

    private int train(OutputTransaction outputs, boolean mlp, boolean cifar) throws Exception {
        TorchRuntime.init();
        DataOptions.Splits splits = data.raw(mlp, cifar ? 32 : 224);
        Architecture a;
        if (mlp) {
            for (int h : hidden) if (h < 1) throw new IllegalArgumentException("--hidden widths must be >= 1, got " + h);
            Activation act = Activation.byName(activation);
            if (act == null) throw new IllegalArgumentException("unknown --activation '" + activation + "' (relu, relu6, leaky_relu, gelu, silu, tanh)");
            List<Integer> sizes = new ArrayList<>();
            sizes.add((int) splits.train().sampleShape()[0]);
            sizes.addAll(hidden);
            sizes.add(splits.train().classes());
            a = new Mlp(sizes.stream().mapToInt(Integer::intValue).toArray(), act, 0.01, false, 0, false);
        } else {
            a = Architectures.image(arch, cifar, width, splits.train().classes());
        }
        NetworkTrainConfig config = NetworkTrainConfig.defaults(a).withEpochs(epochs).withSeed(seed).withLr(lr).withBatchSize(batch);
        if (weightDecay != null) config = config.withWeightDecay(weightDecay);
        try (Network net = Network.random(a, seed)) {
            Progress.info("training " + a.describe() + " for " + epochs + " epochs on " + splits.train().size() + " samples of "
                    + java.util.Arrays.toString(splits.train().sampleShape()));
            new NetworkTrainer(config, Progress.training()).train(net, splits.train());
            ModelFile.save(net, out, outputs);
            outputs.commit();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("out", out.toString());
            result.put("arch", a.describe());
            result.put("accuracy", splits.test() == null ? null : NetworkEvaluator.accuracy(net, splits.test(), 256));
            Complexity c = net.complexity(splits.input());
            result.put("params", c.params());
            result.put("flops", c.flops());
            spec.commandLine().getOut().println(Json.toJson(result));
        }
        return 0;
    }
}
