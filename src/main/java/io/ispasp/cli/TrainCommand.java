package io.ispasp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.AtomicFiles;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvCheckpoint;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.train.ConvEvaluator;
import io.ispasp.train.ConvTrainConfig;
import io.ispasp.train.ConvTrainer;
import io.ispasp.io.Json;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.train.Evaluator;
import io.ispasp.train.TrainConfig;
import io.ispasp.train.Trainer;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ispasp train}: trains a dense MLP and saves it as a checkpoint. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a dense MLP (ReLU hidden layers) with SGD + momentum and a cosine schedule; save it.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--arch", defaultValue = "mlp", description = "mlp, resnet18, resnet34 or mobilenetv2. Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--width", defaultValue = "1.0", description = "Conv nets: width multiplier of every layer (0.25 trains "
            + "about 16x faster on a CPU). Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--form", defaultValue = "cifar", description = "Conv nets: cifar (3x3 stride-1 stem, no max-pool: for 32x32 "
            + "images) or imagenet (torchvision's stem). Default: ${DEFAULT-VALUE}.")
    String form;

    @Option(names = "--weight-decay", description = "Conv nets: SGD weight decay (BN and biases exempt). Default: 5e-4, "
            + "4e-5 for mobilenetv2 (the authors').")
    Double weightDecay;

    @Option(names = "--hidden", defaultValue = "1024", split = ",", paramLabel = "N[,N...]",
            description = "Hidden layer widths, input to output, e.g. 1024,1024. Default: ${DEFAULT-VALUE}.")
    List<Integer> hidden;

    @Option(names = "--epochs", defaultValue = "3", description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--lr", defaultValue = "0.05", description = "Peak learning rate (cosine decay to 0). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", defaultValue = "128", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the trained checkpoint.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!"mlp".equalsIgnoreCase(arch)) return trainConv(Arch.parse(arch));
        for (int h : hidden) if (h < 1) throw new IllegalArgumentException("--hidden widths must be >= 1, got " + h);
        TrainConfig config = TrainConfig.defaults().withEpochs(epochs).withSeed(seed).withLr(lr).withBatchSize(batch);
        AtomicFiles.checkWritable(out, "--out");
        TorchRuntime.init();
        DataOptions.Splits splits = data.load();
        List<Integer> sizes = new ArrayList<>();
        sizes.add(splits.train().featureSize());
        sizes.addAll(hidden);
        sizes.add(splits.train().numClasses());
        Mlp model = Mlp.random(sizes.stream().mapToInt(Integer::intValue).toArray(), seed);
        Progress.info("training MLP " + sizes + " for " + epochs + " epochs on " + splits.train().size() + " images");
        new Trainer(config, Progress.training()).train(model, splits.train());
        MlpCheckpoint.save(model, out);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("out", out.toString());
        result.put("accuracy", Evaluator.accuracy(model, splits.test(), 1000));
        result.put("params", model.params());
        result.put("flops", model.flops());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }

    /** A conv net on CIFAR-10: SGD Nesterov, label smoothing 0.1, cosine schedule, standard augmentation. */
    private int trainConv(Arch a) throws Exception {
        boolean cifar = switch (form) {
            case "cifar" -> true;
            case "imagenet" -> false;
            default -> throw new IllegalArgumentException("unknown --form '" + form + "' (expected cifar or imagenet)");
        };
        ConvTrainConfig config = ConvTrainConfig.defaults(a).withEpochs(epochs).withSeed(seed).withLr(lr).withBatchSize(batch);
        if (weightDecay != null) config = config.withWeightDecay(weightDecay);
        AtomicFiles.checkWritable(out, "--out");
        TorchRuntime.init();
        DataOptions.ImageSplits splits = data.loadImages();
        ConvSpec cs = ConvSpec.dense(a, cifar, splits.train().numClasses(), width);
        try (ConvNet net = ConvNet.random(cs, seed)) {
            Progress.info("training " + cs + " for " + epochs + " epochs on " + splits.train().size() + " images of "
                    + splits.train().height() + "x" + splits.train().width());
            new ConvTrainer(config, Progress.training()).train(net, splits.train());
            ConvCheckpoint.save(net, out);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("out", out.toString());
            result.put("accuracy", ConvEvaluator.accuracy(net, splits.test(), 256));
            Complexity c = Complexity.of(cs, splits.train().height());
            result.put("params", c.params());
            result.put("flops", c.flops());
            spec.commandLine().getOut().println(Json.toJson(result));
        }
        return 0;
    }
}
