package io.ispasp.train;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Mean cross-entropy with label smoothing: {@code (1 - eps) * nll + eps * mean_k(-log_softmax_k)}, averaged over the
 * batch, i.e. PyTorch's {@code F.cross_entropy(logits, labels, label_smoothing=eps)}.
 */
public final class CrossEntropy {
    /** at::Reduction::Mean. */
    private static final long MEAN = 1;
    /** PyTorch's default ignore_index; no label here is negative, so nothing is ignored. */
    private static final long IGNORE_NONE = -100;

    private CrossEntropy() {}

    /**
     * The scalar loss of {@code logits} [n, classes] (float) against {@code labels} [n] (int64), differentiable.
     * Calls ATen's {@code cross_entropy_loss}, whose last argument is the label smoothing (the bytedeco
     * {@code cross_entropy} overloads take it only through an options object).
     *
     * @param smoothing epsilon in [0, 1); 0 gives the plain cross-entropy
     */
    public static Tensor loss(Tensor logits, Tensor labels, double smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        return torch.cross_entropy_loss(logits, labels, new TensorOptional(), MEAN, IGNORE_NONE, smoothing);
    }
}
