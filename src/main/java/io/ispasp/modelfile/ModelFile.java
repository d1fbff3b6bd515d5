package io.ispasp.modelfile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import io.ispasp.nn.Network;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.nn.file.NetworkTorchScript;
import io.ispasp.runtime.TorchRuntime;

/**
 * Reading and writing networks in any format the engine knows. Reading looks at the content: a TorchScript archive
 * (zip) or an engine checkpoint (the current format or either legacy one). Writing looks at the name: a file ending
 * in {@code .pt}, {@code .pth} or {@code .ts} gets TorchScript, anything else the engine's checkpoint. Every write
 * is atomic.
 */
public final class ModelFile {
    private ModelFile() {}

    /** Reads {@code file}; the caller closes the result. */
    public static Network load(Path file) throws IOException {
        TorchRuntime.init();
        if (NetworkTorchScript.isTorchScript(file)) return NetworkTorchScript.read(file);
        return NetworkCheckpoint.load(file);
    }

    /** Whether {@code file}'s name asks for TorchScript. */
    public static boolean isTorchScriptName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ts");
    }

    public static void save(Network net, Path file) throws IOException {
        TorchRuntime.init();
        if (isTorchScriptName(file)) NetworkTorchScript.write(net, file);
        else NetworkCheckpoint.save(net, file);
    }
}
