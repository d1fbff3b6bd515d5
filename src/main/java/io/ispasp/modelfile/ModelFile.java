package io.ispasp.modelfile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.model.conv.ConvCheckpoint;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.torchscript.TorchScriptReader;
import io.ispasp.model.torchscript.TorchScriptWriter;
import io.ispasp.runtime.TorchRuntime;

/**
 * Reading and writing models in any format the engine knows. Reading looks at the content: a TorchScript
 * archive (zip), an engine conv-net checkpoint or an engine MLP checkpoint. Writing looks at the name: a file
 * ending in {@code .pt}, {@code .pth} or {@code .ts} gets TorchScript, anything else the engine's checkpoint.
 * Every write is atomic.
 */
public final class ModelFile {
    private ModelFile() {}

    /** Reads {@code file}; the caller closes the result. */
    public static LoadedModel load(Path file) throws IOException {
        TorchRuntime.init();
        if (TorchScriptReader.isTorchScript(file)) return TorchScriptReader.read(file).from(file);
        if (ConvCheckpoint.isConvCheckpoint(file)) return LoadedModel.of(ConvCheckpoint.load(file)).from(file);
        return LoadedModel.of(MlpCheckpoint.load(file)).from(file);
    }

    /** Whether {@code file}'s name asks for TorchScript. */
    public static boolean isTorchScriptName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ts");
    }

    public static void save(ConvNet net, Path file) throws IOException {
        if (isTorchScriptName(file)) TorchScriptWriter.write(net, file);
        else ConvCheckpoint.save(net, file);
    }

    public static void save(Mlp mlp, Path file) throws IOException {
        if (isTorchScriptName(file)) TorchScriptWriter.write(mlp, file);
        else MlpCheckpoint.save(mlp, file);
    }

    public static void save(LoadedModel model, Path file) throws IOException {
        if (model.isConv()) save(model.conv(), file);
        else save(model.mlp(), file);
    }
}
