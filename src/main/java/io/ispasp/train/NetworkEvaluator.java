package io.ispasp.train;

import java.util.Arrays;

import io.ispasp.data.LabeledData;
import io.ispasp.engine.Cancellation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Top-1 accuracy and mean cross-entropy (no label smoothing) of a {@link Network} of any family on {@link LabeledData}:
 * eval mode (BN running statistics, no dropout), non-augmented inputs, batch by batch in order, without autograd,
 * each batch in its own {@link PointerScope}. Reads the network only, so its state is left bitwise unchanged, and
 * the same network and data give the same result every time. Calls {@link Cancellation#checkpoint()} per batch.
 */
public final class NetworkEvaluator {
    private NetworkEvaluator() {}

    /**
     * One evaluation pass.
     *
     * @param samples  samples evaluated
     * @param accuracy fraction whose arg-max logit equals the label (ties go to the lowest index, as in libtorch)
     * @param loss     mean cross-entropy per sample
     */
    public record Result(int samples, double accuracy, double loss) {}

    /** Accuracy and loss in one pass over {@code data}, {@code batchSize} samples at a time. */
    public static Result evaluate(Network net, LabeledData data, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        checkFits(net, data);
        long correct = 0;
        double lossSum = 0;
        int n = data.size();
        for (int from = 0; from < n; from += batchSize) {
            Cancellation.checkpoint();
            int to = Math.min(n, from + batchSize);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor logits = net.forward(data.inputs(from, to), false);
                Tensor labels = data.labels(from, to);
                correct += logits.argmax(new LongOptional(1), false).eq(labels).sum().item_long();
                lossSum += CrossEntropy.loss(logits, labels, 0).item_double() * (to - from);
            }
        }
        return new Result(n, (double) correct / n, lossSum / n);
    }

    /**
     * How close {@code pruned}'s outputs stay to {@code dense}'s on {@code data}, in one pass: both networks' top-1
     * accuracy (NaN when {@code labelled} is false), the fraction of samples whose arg-max agrees, and the mean
     * KL(dense || pruned) of the softmax outputs in nats (float64).
     */
    public record Fidelity(int samples, double denseAccuracy, double prunedAccuracy, double agreement, double klDivergence) {}

    public static Fidelity fidelity(Network dense, Network pruned, LabeledData data, boolean labelled, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        checkFits(dense, data);
        checkFits(pruned, data);
        long agree = 0, denseCorrect = 0, prunedCorrect = 0;
        double kl = 0;
        int n = data.size();
        for (int from = 0; from < n; from += batchSize) {
            Cancellation.checkpoint();
            int to = Math.min(n, from + batchSize);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor x = data.inputs(from, to);
                Tensor p = torch.log_softmax(dense.forward(x, false).to(torch.ScalarType.Double), 1);
                Tensor q = torch.log_softmax(pruned.forward(x, false).to(torch.ScalarType.Double), 1);
                Tensor ap = p.argmax(new LongOptional(1), false), aq = q.argmax(new LongOptional(1), false);
                agree += ap.eq(aq).sum().item_long();
                if (labelled) {
                    Tensor labels = data.labels(from, to);
                    denseCorrect += ap.eq(labels).sum().item_long();
                    prunedCorrect += aq.eq(labels).sum().item_long();
                }
                kl += p.exp().mul(p.sub(q)).sum().item_double();
            }
        }
        double da = labelled ? (double) denseCorrect / n : Double.NaN, pa = labelled ? (double) prunedCorrect / n : Double.NaN;
        return new Fidelity(n, da, pa, (double) agree / n, kl / n);
    }

    /** Top-1 accuracy. */
    public static double accuracy(Network net, LabeledData data, int batchSize) {
        return evaluate(net, data, batchSize).accuracy();
    }

    /** Mean cross-entropy per sample. */
    public static double loss(Network net, LabeledData data, int batchSize) {
        return evaluate(net, data, batchSize).loss();
    }

    /**
     * Rejects a null or empty data set, more classes than the network has outputs, and samples the network cannot
     * take: feature rows of another width for an MLP (an MLP with a Flatten takes any shape of that many values),
     * anything but 3-channel images for an image network.
     */
    static void checkFits(Network net, LabeledData data) {
        if (net == null) throw new IllegalArgumentException("net must not be null");
        if (data == null) throw new IllegalArgumentException("data must not be null");
        if (data.size() == 0) throw new IllegalArgumentException("the data set is empty");
        Architecture a = net.architecture();
        if (data.classes() > a.classes()) {
            throw new IllegalArgumentException("data has " + data.classes() + " classes but the net has " + a.classes() + " outputs");
        }
        long[] sample = data.sampleShape();
        if (a.nativeInput() == 0) {
            long features = a.inputShape(0)[0], values = 1;
            for (long d : sample) values *= d;
            if (values != features) {
                throw new IllegalArgumentException("data has " + values + " features per sample but the net expects " + features);
            }
        } else {
            long channels = a.inputShape(a.nativeInput())[0];
            if (sample.length != 3 || sample[0] != channels) {
                throw new IllegalArgumentException("data samples have shape " + Arrays.toString(sample) + " but " + a.name()
                        + " takes images of " + channels + " channels");
            }
        }
    }
}
