package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.ConvEvaluator;
import io.ispasp.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp eval}: test accuracy, parameters and FLOPs of a checkpoint, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on the test split; prints JSON {accuracy, params, flops}.")
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
        try (LoadedModel loaded = ModelFile.load(model)) {
            return loaded.isConv() ? evalConv(loaded.conv()) : evalMlp(loaded.mlp());
        }
    }

    private int evalMlp(Mlp m) throws Exception {
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

    private int evalConv(ConvNet net) throws Exception {
        DataOptions.ImageSplits splits = data.loadImages();
        if (splits.test().numClasses() != net.spec().classes()) {
            throw new IllegalArgumentException("model " + model + " has " + net.spec().classes() + " classes, data " + splits.test().numClasses());
        }
        ConvEvaluator.Result r = ConvEvaluator.evaluate(net, splits.test(), 256);
        Complexity c = Complexity.of(net.spec(), splits.test().height());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accuracy", r.accuracy());
        result.put("loss", r.loss());
        result.put("images", r.images());
        result.put("params", c.params());
        result.put("flops", c.flops());
        result.put("arch", net.spec().toString());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }
}
