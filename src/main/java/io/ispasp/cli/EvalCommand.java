package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.train.Evaluator;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ispasp eval}: test accuracy, parameters and FLOPs of a checkpoint, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on the test split; prints JSON {accuracy, params, flops}.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Checkpoint to evaluate.")
    Path model;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        Mlp m = MlpCheckpoint.load(model);
        DataOptions.Splits splits = data.load();
        if (splits.test().featureSize() != m.inputSize()) {
            throw new IllegalArgumentException("model " + model + " expects " + m.inputSize() + " input features, data has " + splits.test().featureSize());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accuracy", Evaluator.accuracy(m, splits.test(), 1000));
        result.put("params", m.params());
        result.put("flops", m.flops());
        result.put("sizes", m.sizes());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }
}
