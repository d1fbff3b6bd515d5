package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Bert;
import io.ispasp.text.EmbeddingAgreement;
import io.ispasp.text.Sentences;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp eval}: test accuracy, parameters and FLOPs of a model, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on the test split; prints JSON {accuracy, loss, samples, params, flops, arch, widths}. "
                + "An encoder (.onnx) is compared with --dense on the sentences of --data: {sentences, cosine_mean, cosine_p5, "
                + "recall_at_10, params, flops_per_sequence, ...}.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model to evaluate: an engine checkpoint or a TorchScript file.")
    Path model;

    @Option(names = "--dense", paramLabel = "FILE", description = "Encoders: the dense model to compare sentence embeddings "
            + "with (cosine and neighbour agreement on the sentences of --data).")
    Path dense;

    @Option(names = "--neighbours", defaultValue = "10", paramLabel = "K", description = "Encoders: k of the recall@k of the "
            + "dense model's nearest neighbours. Default: ${DEFAULT-VALUE}.")
    int neighbours;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        try (Network net = ModelFile.load(model)) {
            if (net.architecture() instanceof Bert) return encoder(net);
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

    /**
     * An encoder has no accuracy: its sentence embeddings (mean pooling) on the sentences of --data against the dense
     * model's, with parameters and FLOPs per sequence of the model's native length.
     */
    private int encoder(Network net) throws Exception {
        if (dense == null) throw new IllegalArgumentException("--dense FILE is needed to evaluate an encoder (its embeddings are compared with the dense model's)");
        // a pruned file usually sits apart from the tokenizer; the one beside the dense model serves
        data.tokenizer = data.tokenizerFor(model, dense);
        DataOptions.Splits splits = data.load(net, model);
        Sentences sentences = (Sentences) splits.train();
        Map<String, Object> result = new LinkedHashMap<>();
        try (Network reference = ModelFile.load(dense)) {
            if (!(reference.architecture() instanceof Bert)) throw new IllegalArgumentException("--dense " + dense + " is not an encoder");
            EmbeddingAgreement a = EmbeddingAgreement.of(EmbeddingAgreement.embed(reference, sentences, 64),
                    EmbeddingAgreement.embed(net, sentences, 64), neighbours);
            Complexity c = net.complexity(splits.input()), c0 = reference.complexity(splits.input());
            result.put("sentences", a.sentences());
            result.put("cosine_mean", a.cosineMean());
            result.put("cosine_p5", a.cosineP5());
            result.put("recall_at_" + a.k(), a.recall());
            result.put("params", c.params());
            result.put("params_dense", c0.params());
            result.put("flops_per_sequence", c.flops());
            result.put("flops_per_sequence_dense", c0.flops());
            result.put("sequence", splits.input());
        }
        result.put("arch", net.architecture().describe());
        result.put("widths", net.widths());
        spec.commandLine().getOut().println(Json.toJson(result));
        return 0;
    }
}
