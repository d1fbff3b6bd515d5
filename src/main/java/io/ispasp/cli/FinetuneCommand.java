package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp finetune}: fine-tunes a (pruned) model of any family and saves it. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a model with its family's recipe (image models: SGD Nesterov 0.9, label smoothing 0.1, BN and "
                + "biases exempt from weight decay, cosine schedule); prints JSON {accuracy_before, accuracy_after, seconds}.")
final class FinetuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "An engine checkpoint or a TorchScript file.")
    Path model;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.01", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", defaultValue = "128", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Shuffle and augmentation seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the fine-tuned model (TorchScript for .pt/.pth/.ts, else a checkpoint).")
    Path out;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        try (OutputTransaction outputs = OutputTransaction.of(ModelFile.output("--out", out)); Network net = ModelFile.load(model)) {
            NetworkTrainConfig config = NetworkTrainConfig.defaults(net.architecture()).withEpochs(epochs).withLr(lr)
                    .withBatchSize(batch).withSeed(seed);
            DataOptions.Splits splits = data.load(net, model);
            var train = splits.labelledTrain("finetune", net);
            Double before = splits.test() == null ? null : NetworkEvaluator.accuracy(net, splits.test(), 256);
            long t0 = System.nanoTime();
            new NetworkTrainer(config, Progress.training()).train(net, train);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ModelFile.save(net, out, outputs);
            outputs.commit();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("out", out.toString());
            result.put("accuracy_before", before);
            result.put("accuracy_after", splits.test() == null ? null : NetworkEvaluator.accuracy(net, splits.test(), 256));
            result.put("seconds", seconds);
            spec.commandLine().getOut().println(Json.toJson(result));
        }
        return 0;
    }
}
