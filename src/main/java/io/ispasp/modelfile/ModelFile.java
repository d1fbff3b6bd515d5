package io.ispasp.modelfile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

import io.ispasp.io.OutputTransaction;
import io.ispasp.nn.Network;
import io.ispasp.nn.file.NetworkCheckpoint;
import io.ispasp.nn.arch.Bert;
import io.ispasp.nn.file.NetworkTorchScript;
import io.ispasp.onnx.OnnxEncoder;
import io.ispasp.onnx.OnnxFile;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.runtime.TorchRuntime;

/**
 * Reading and writing networks in any format the engine knows. Reading looks at the content: a TorchScript archive
 * (zip) or an engine checkpoint (the current format or either legacy one). Writing looks at the name: a file ending
 * in {@code .pt}, {@code .pth} or {@code .ts} gets TorchScript, {@code .ckpt} the engine's checkpoint; any other
 * name is refused. BERT-family encoders come from and go to ONNX ({@code .onnx}, by name): a pruned encoder is written
 * into the graph of the file it was read from. Every write is atomic.
 */
public final class ModelFile {
    private ModelFile() {}

    /** Reads {@code file}; the caller closes the result. */
    public static Network load(Path file) throws IOException {
        TorchRuntime.init();
        if (isOnnxName(file)) return OnnxEncoder.load(file);
        if (NetworkTorchScript.isTorchScript(file)) return NetworkTorchScript.read(file);
        return NetworkCheckpoint.load(file);
    }

    /** Whether {@code file}'s name is an ONNX model's (a BERT-family encoder, read and written in its own graph). */
    public static boolean isOnnxName(Path file) {
        return lowerName(file).endsWith(".onnx");
    }

    /** Whether {@code file}'s name asks for TorchScript. */
    public static boolean isTorchScriptName(Path file) {
        String name = lowerName(file);
        return name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ts");
    }

    /**
     * The model output {@code file}, named {@code option} in messages, to declare in an {@link OutputTransaction};
     * refused here ({@link IllegalArgumentException}) when its name asks for a format the engine does not write.
     */
    public static OutputTransaction.Output output(String option, Path file) {
        checkOutputName(option, file);
        return new OutputTransaction.Output(option, file);
    }

    /**
     * Refuses, before any work, an output that cannot hold a model read from {@code source}: an ONNX encoder is
     * written back as ONNX (into its own graph), and only an ONNX model can be.
     */
    public static void checkOutputFor(String option, Path file, Path source) {
        if (isOnnxName(file) && !isOnnxName(source)) {
            throw new IllegalArgumentException(option + " " + file + ": ONNX is written only for encoders read from ONNX; " + source + " is not an .onnx model");
        }
        if (!isOnnxName(file) && isOnnxName(source)) {
            throw new IllegalArgumentException(option + " " + file + ": an encoder read from ONNX (" + source + ") is written as ONNX; give a .onnx name");
        }
    }

    private static void checkOutputName(String option, Path file) {
        if (isTorchScriptName(file) || isOnnxName(file) || lowerName(file).endsWith(".ckpt")) return;
        String name = lowerName(file);
        int dot = name.lastIndexOf('.');
        throw new IllegalArgumentException(option + " " + file + ": the engine writes TorchScript (.pt, .pth, .ts), its own "
                + "checkpoint (.ckpt) or, for encoders read from ONNX, ONNX (.onnx), " + (dot < 0 ? "and the name has no extension" : "not " + name.substring(dot)));
    }

    /** Writes {@code net} to {@code file} on its own (a one-output transaction); the name chooses the format. */
    public static void save(Network net, Path file) throws IOException {
        try (OutputTransaction tx = OutputTransaction.of(output("output", file))) {
            save(net, file, tx);
            tx.commit();
        }
    }

    /** Writes {@code net} as the output {@code file} of {@code tx} (committed by the caller); the name chooses the format. */
    public static void save(Network net, Path file, OutputTransaction tx) throws IOException {
        save(net, file, tx, null);
    }

    /**
     * As {@link #save(Network, Path, OutputTransaction)}; an {@code .onnx} output is {@code source}'s graph (an ONNX
     * encoder, the model {@code net} was pruned from) with {@code net}'s weights, so it keeps the source's inputs,
     * outputs and every other node.
     */
    public static void save(Network net, Path file, OutputTransaction tx, Path source) throws IOException {
        checkOutputName("output", file);
        TorchRuntime.init();
        if (isOnnxName(file)) {
            if (source == null) {
                throw new IllegalArgumentException(file + ": an ONNX output is written into the graph of the ONNX model it was pruned from; "
                        + "no source model given");
            }
            checkOutputFor("output", file, source);
            ModelProto graph = OnnxFile.read(source);
            tx.write(file, out -> OnnxEncoder.write(graph, net, out));
            return;
        }
        if (net.architecture() instanceof Bert) {
            throw new IllegalArgumentException(file + ": an encoder is written as ONNX (.onnx), into the graph it came from");
        }
        tx.write(file, out -> write(net, file, out));
    }

    private static void write(Network net, Path name, OutputStream out) throws IOException {
        if (isTorchScriptName(name)) NetworkTorchScript.write(net, out, true);
        else NetworkCheckpoint.save(net, out);
    }

    private static String lowerName(Path file) {
        Path name = file.getFileName();
        return name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    }
}
