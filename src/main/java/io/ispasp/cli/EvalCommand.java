package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp eval}: test accuracy, parameters and FLOPs of a model, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on the test split; prints JSON {accuracy, loss, samples, params, flops, arch, widths}.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model to evaluate: an engine checkpoint or a TorchScript file.")
    Path model;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        try (Network net = ModelFile.load(model)) {
            DataOptions.Splits splits = data.load(net, model);
            if (splits.test() == null) {
                throw new IllegalArgumentException("model " + model + " has " + net.architecture().classes() + " classes; "
                        + splits.source() + (splits.labelsFit() ? " has no test split" : " has labels of " + splits.train().classes()));
            }
            NetworkEvaluator.Result r = NetworkEvaluator.evaluate(net, splits.test(), 256);
            Complexity c = net.complexity(splits.input());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("accuracy", r.accuracy());
            result.put("loss", r.loss());
            result.put("samples", r.samples());
            result.put("params", c.params());
            result.put("flops", c.flops());
            result.put("arch", net.architecture().describe());
            result.put("widths", net.widths());
            spec.commandLine().getOut().println(Json.toJson(result));
        }
        return 0;
    }
}
