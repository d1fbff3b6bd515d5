package io.ispasp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.AtomicFiles;
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

    @Option(names = "--arch", defaultValue = "mlp", description = "Architecture (supported: mlp). Default: ${DEFAULT-VALUE}.")
    String arch;

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
        if (!"mlp".equalsIgnoreCase(arch)) throw new IllegalArgumentException("unknown arch '" + arch + "' (supported: mlp)");
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
}
