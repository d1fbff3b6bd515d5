package io.ispasp.engine;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The one way the engine runs a 2-D convolution on libtorch. libtorch 2.10's CPU oneDNN path (bytedeco 1.5.13)
 * returns wrong float32 results, up to 20% off and sometimes NaN, on AVX-512 machines (measured on an AMD EPYC):
 * <ul>
 *   <li>forward, for a kernel larger than 1x1 whose input has more than 16 channels but not a multiple of 16
 *       (17..31, 33..47, ...; 1x1, depthwise and multiples of 16 are right). Pruned widths hit exactly that case
 *       (25, 51, 102 in the reference layout). A channels-last input takes a oneDNN path that is right, for the
 *       price of one copy of the input; the output is copied back to the default layout, since channels-last
 *       spreading to later layers crashed oneDNN's 1x1 convolution on some shapes (SIGFPE);</li>
 *   <li>backward, for many more shapes (an input gradient through 8 output channels with stride 2, for one), and
 *       conv_transpose2d, not even repeatably. With gradients on, ungrouped convolutions run on libtorch's own
 *       im2col kernel ({@code thnn_conv2d}), which is right and slower; the adjoint is a convolution with the
 *       flipped kernel.</li>
 * </ul>
 * {@code ConvolutionTest} checks forward, gradients and the adjoint for every channel count from 1 to 70 against
 * float64. See docs/platform.md.
 */
public final class Convolution {
    private Convolution() {}

    /** conv2d with dilation 1; {@code bias} may be null. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long stride, long pad, long groups) {
        if (groups == 1 && GradMode.is_enabled() && (x.requires_grad() || weight.requires_grad())) {
            // gradients through oneDNN are wrong for still other shapes, channels-last and zero-padding included
            long k = weight.size(2);
            return torch.thnn_conv2d(x, weight, new long[] {k, k}, bias == null ? new TensorOptional() : new TensorOptional(bias),
                    new long[] {stride, stride}, pad, pad);
        }
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias);
        boolean faulty = faulty(weight.size(1) * groups, weight.size(2), groups);
        Tensor y = torch.conv2d(faulty ? x.contiguous(torch.MemoryFormat.ChannelsLast) : x, weight, b,
                new long[] {stride, stride}, new long[] {pad, pad}, new long[] {1, 1}, groups);
        // back to the default layout: channels-last would spread to the next layers, and oneDNN's channels-last 1x1
        // convolution dies of SIGFPE on some shapes (ResNet50's layer3.0.conv3 at 112 px; docs/platform.md)
        return faulty ? y.contiguous() : y;
    }

    /**
     * The adjoint of a bias-free, ungrouped, stride-1 {@link #conv2d} with weight [out, in, k, k]: what
     * conv_transpose2d computes, written as a convolution with the flipped, transposed kernel, because libtorch's
     * float32 conv_transpose2d is wrong, and not even repeatable, for many channel counts on the same machines.
     */
    public static Tensor convTranspose2d(Tensor y, Tensor weight, long pad) {
        Tensor flipped = weight.flip(2, 3).transpose(0, 1).contiguous();
        return conv2d(y, flipped, null, 1, weight.size(2) - 1 - pad, 1);
    }

    /** Whether a convolution with these input channels, kernel side and groups takes the faulty path. */
    public static boolean faulty(long inChannels, long kernel, long groups) {
        return kernel > 1 && groups == 1 && inChannels > 16 && inChannels % 16 != 0;
    }
}
