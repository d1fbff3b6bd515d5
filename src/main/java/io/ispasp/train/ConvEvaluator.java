package io.ispasp.train;

import io.ispasp.data.ImageDataset;
import io.ispasp.model.conv.ConvNet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Top-1 accuracy and mean cross-entropy (no label smoothing) of a {@link ConvNet} on an {@link ImageDataset}: eval
 * mode (BN running statistics, no dropout), non-augmented images, batch by batch, without autograd. Reads the net
 * only, so its state is left bitwise unchanged.
 */
public final class ConvEvaluator {
    private ConvEvaluator() {}

    /**
     * One evaluation pass.
     *
     * @param images   images evaluated
     * @param accuracy fraction whose arg-max logit equals the label (ties go to the lowest index, as in libtorch)
     * @param loss     mean cross-entropy per image
     */
    public record Result(int images, double accuracy, double loss) {}

    /** Accuracy and loss in one pass over {@code data}, {@code batchSize} images at a time. */
    public static Result evaluate(ConvNet net, ImageDataset data, int batchSize) {
        check(net, data, batchSize);
        long correct = 0;
        double lossSum = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor logits = net.forward(data.images(from, to), false);
                Tensor labels = data.labels(from, to);
                correct += logits.argmax(new LongOptional(1), false).eq(labels).sum().item_long();
                lossSum += CrossEntropy.loss(logits, labels, 0).item_double() * (to - from);
            }
        }
        return new Result(data.size(), (double) correct / data.size(), lossSum / data.size());
    }

    /** Top-1 accuracy. */
    public static double accuracy(ConvNet net, ImageDataset data, int batchSize) {
        return evaluate(net, data, batchSize).accuracy();
    }

    /** Mean cross-entropy per image. */
    public static double loss(ConvNet net, ImageDataset data, int batchSize) {
        return evaluate(net, data, batchSize).loss();
    }

    private static void check(ConvNet net, ImageDataset data, int batchSize) {
        if (net == null) throw new IllegalArgumentException("net must not be null");
        if (data == null) throw new IllegalArgumentException("data must not be null");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (data.size() == 0) throw new IllegalArgumentException("cannot evaluate on an empty data set");
        if (data.numClasses() > net.spec().classes()) {
            throw new IllegalArgumentException("data has " + data.numClasses() + " classes but the net has " + net.spec().classes() + " outputs");
        }
    }
}
