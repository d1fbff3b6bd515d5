package io.ispasp.train;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * SGD with momentum, written out with tensor ops as PyTorch's {@code torch.optim.SGD} (dampening 0) does it: per
 * parameter {@code d = g + wd*p} (decayed parameters only), {@code buf = mu*buf + d}, then
 * {@code d = d + mu*buf} (Nesterov) or {@code d = buf}, and {@code p -= lr*d}. The momentum buffers start at zero,
 * so the first step's {@code buf} equals {@code d}, as in PyTorch.
 * <p>Weight decay applies to parameters with more than one dimension (conv and linear weights) only; see
 * {@link #decays(Tensor)}. The buffers are owned by this object and released by {@link #close()}.
 */
public final class Sgd implements AutoCloseable {
    private final Tensor[] params;
    private final Tensor[] buffers;
    private final boolean[] decayed;
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;

    /**
     * An optimiser over {@code params} (the tensors themselves, updated in place).
     *
     * @throws IllegalArgumentException on a momentum outside [0, 1), Nesterov without momentum, or a negative decay
     */
    public Sgd(List<Tensor> params, double momentum, boolean nesterov, double weightDecay) {
        this(params, momentum, nesterov, weightDecay, false);
    }

    /**
     * An optimiser over {@code params}; with {@code decayVectors} the weight decay applies to every parameter,
     * 1-D ones (BN weights, biases) included, otherwise only to those {@link #decays(Tensor)} accepts.
     *
     * @throws IllegalArgumentException on a momentum outside [0, 1), Nesterov without momentum, or a negative decay
     */
    public Sgd(List<Tensor> params, double momentum, boolean nesterov, double weightDecay, boolean decayVectors) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0 and finite, got " + weightDecay);
        }
        this.params = params.toArray(new Tensor[0]);
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.decayed = new boolean[this.params.length];
        this.buffers = new Tensor[this.params.length];
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < this.params.length; i++) {
                decayed[i] = weightDecay > 0 && (decayVectors || decays(this.params[i]));
                if (momentum > 0) {
                    buffers[i] = torch.zeros_like(this.params[i]);
                    buffers[i].retainReference(); // outlives the scope; released by close()
                }
            }
        }
    }

    /**
     * Whether weight decay applies to {@code p}: only tensors with more than one dimension. In a ResNet or
     * MobileNetV2 the 1-D parameters are exactly the BN weights and biases and the classifier's bias (the convs have
     * no bias; in VGG and MLPs they are the biases and BN parameters), and decaying a BN scale or a bias only shrinks the net's output range without
     * regularising its capacity. The authors' rule (names containing ".bn" or ".bias") misses torchvision
     * MobileNetV2's BN weights ({@code features.6.conv.1.1.weight}) and so decays them; we exempt them deliberately.
     */
    public static boolean decays(Tensor p) {
        return p.dim() > 1;
    }

    /** Drops every parameter's gradient (sets it undefined, so the next backward writes a fresh one). */
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : params) p.mutable_grad().put(new Tensor());
        }
    }

    /** One update with learning rate {@code lr} from the gradients in {@code p.grad()}; parameters without one are skipped. */
    public void step(double lr) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Scalar mu = new Scalar(momentum), wd = new Scalar(weightDecay), rate = new Scalar(lr);
            for (int i = 0; i < params.length; i++) {
                Tensor p = params[i];
                Tensor d = p.grad();
                if (!d.defined()) continue;
                if (decayed[i]) d = d.add(p, wd);
                if (momentum > 0) {
                    buffers[i].mul_(mu).add_(d);
                    d = nesterov ? d.add(buffers[i], mu) : buffers[i];
                }
                p.sub_(d, rate);
            }
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) buffers[i].releaseReference();
            buffers[i] = null;
        }
    }
}
