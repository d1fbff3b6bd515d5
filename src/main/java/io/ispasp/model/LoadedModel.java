package io.ispasp.model;

import io.ispasp.model.conv.ConvNet;

/**
 * A model read from a file: an MLP or a conv net, whichever the file held. Closing it releases the model's
 * native tensors.
 */
public final class LoadedModel implements AutoCloseable {
    private final Mlp mlp;
    private final ConvNet conv;
    private final String source;

    private LoadedModel(Mlp mlp, ConvNet conv, String source) {
        this.mlp = mlp;
        this.conv = conv;
        this.source = source;
    }

    public static LoadedModel of(Mlp mlp) { return new LoadedModel(mlp, null, "the model"); }

    public static LoadedModel of(ConvNet conv) { return new LoadedModel(null, conv, "the model"); }

    /** The same model, named after the file it came from in error messages. */
    public LoadedModel from(java.nio.file.Path file) { return new LoadedModel(mlp, conv, file.toString()); }

    public boolean isConv() { return conv != null; }

    /** The conv net; an error naming what the model is when it is an MLP. */
    public ConvNet conv() {
        if (conv == null) throw new IllegalArgumentException(source + " holds an MLP " + java.util.Arrays.toString(mlp.sizes()) + ", not a conv net");
        return conv;
    }

    /** The MLP; an error naming what the model is when it is a conv net. */
    public Mlp mlp() {
        if (mlp == null) throw new IllegalArgumentException(source + " holds a " + conv.spec().arch().cliName() + ", not an MLP");
        return mlp;
    }

    /** A short description: {@code resnet34-cifar x0.25 classes 10 ...} or {@code mlp [784, 1024, 10]}. */
    public String describe() {
        return conv != null ? conv.spec().toString() : "mlp " + java.util.Arrays.toString(mlp.sizes());
    }

    @Override
    public void close() {
        if (conv != null) conv.close();
        else mlp.close();
    }
}
