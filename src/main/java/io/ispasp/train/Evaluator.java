package io.ispasp.train;

import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Accuracy and loss of an {@link Mlp} on a {@link Dataset}, batch by batch, without autograd. */
public final class Evaluator {
    private Evaluator() {}

    /** Fraction of rows whose arg-max logit equals the label (ties go to the lowest index, as in libtorch). */
    public static double accuracy(Mlp model, Dataset data, int batchSize) {
        check(model, data, batchSize);
        long correct = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor predicted = model.forward(data.features(from, to)).argmax(new LongOptional(1), false);
                correct += predicted.eq(data.labels(from, to)).sum().item_long();
            }
        }
        return (double) correct / data.size();
    }

    /** Mean cross-entropy per row. */
    public static double loss(Mlp model, Dataset data, int batchSize) {
        check(model, data, batchSize);
        double sum = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                sum += torch.cross_entropy(model.forward(data.features(from, to)), data.labels(from, to)).item_double() * (to - from);
            }
        }
        return sum / data.size();
    }

    private static void check(Mlp model, Dataset data, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (data.size() == 0) throw new IllegalArgumentException("cannot evaluate on an empty data set");
        if (data.featureSize() != model.inputSize()) {
            throw new IllegalArgumentException("data has " + data.featureSize() + " features but the model expects " + model.inputSize());
        }
        if (data.numClasses() > model.outputSize()) {
            throw new IllegalArgumentException("data has " + data.numClasses() + " classes but the model has " + model.outputSize() + " outputs");
        }
    }
}
