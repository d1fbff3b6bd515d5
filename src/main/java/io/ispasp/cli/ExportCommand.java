package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.nn.Network;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Converts between the engine's checkpoints and TorchScript, in either direction. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Convert a model: engine checkpoint to TorchScript (--out NAME.pt, .pth or .ts; Python's torch.jit.load "
                + "and libtorch open it, with torchvision's state_dict names) or TorchScript to an engine checkpoint (any other name).")
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "An engine checkpoint or a TorchScript file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output; the format follows the name.")
    Path out;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        try (OutputTransaction outputs = OutputTransaction.of(ModelFile.output("--out", out)); Network loaded = ModelFile.load(model)) {
            ModelFile.save(loaded, out, outputs);
            outputs.commit();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("out", out.toString());
            result.put("format", ModelFile.isTorchScriptName(out) ? "torchscript" : "checkpoint");
            result.put("model", loaded.architecture().describe());
            result.put("widths", loaded.widths());
            spec.commandLine().getOut().println(Json.toJson(result));
        }
        return 0;
    }
}
