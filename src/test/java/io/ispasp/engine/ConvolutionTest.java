package io.ispasp.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Convolution} against float64 for every channel count from 1 to 70 (libtorch's float32 oneDNN path is wrong
 * for some of them; see the class comment), for 1x1 and 3x3 kernels, strides 1 and 2, and for the adjoint.
 */
class ConvolutionTest {
    private static final torch.ScalarType D = torch.ScalarType.Double;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void float32MatchesFloat64ForEveryChannelCount() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            torch.manual_seed(3);
            for (int cin = 1; cin <= 70; cin++) {
                for (int k : new int[] {1, 3}) {
                    for (int stride : new int[] {1, 2}) {
                        Tensor x = torch.randn(2, cin, 7, 7);
                        Tensor w = torch.randn(19, cin, k, k);
                        Tensor b = torch.randn(19);
                        Tensor ref = torch.conv2d(x.to(D), w.to(D), new TensorOptional(b.to(D)), new long[] {stride, stride},
                                new long[] {k / 2, k / 2}, new long[] {1, 1}, 1);
                        Tensor got = Convolution.conv2d(x, w, b, stride, k / 2, 1).to(D);
                        assertClose(ref, got, "conv cin=" + cin + " k=" + k + " stride=" + stride);
                    }
                }
                Tensor y = torch.randn(2, cin, 7, 7);
                Tensor w = torch.randn(cin, 13, 3, 3);
                Tensor ref = torch.conv_transpose2d(y.to(D), w.to(D), new TensorOptional(), new long[] {1, 1}, new long[] {1, 1},
                        new long[] {0, 0}, 1, new long[] {1, 1});
                assertClose(ref, Convolution.convTranspose2d(y, w, 1).to(D), "transpose cin=" + cin);
            }
        }
    }

    @Test
    void gradientsMatchFloat64ForEveryChannelCount() {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(5);
            for (int cin = 1; cin <= 70; cin++) {
                int cout = cin * 7 % 40 + 1, stride = cin % 2 + 1, k = cin % 3 == 0 ? 1 : 3;
                Tensor x = torch.randn(2, cin, 6, 6), w = torch.randn(cout, cin, k, k);
                String what = " cin=" + cin + " cout=" + cout + " k=" + k + " stride=" + stride;
                Tensor[] f = gradients(x, w, stride, 1), d = gradients(x.to(D), w.to(D), stride, 1);
                assertClose(d[0], f[0].to(D), "input gradient" + what);
                assertClose(d[1], f[1].to(D), "weight gradient" + what);
                Tensor dw = torch.randn(cin, 1, 3, 3);
                f = gradients(x, dw, stride, cin);
                d = gradients(x.to(D), dw.to(D), stride, cin);
                assertClose(d[0], f[0].to(D), "depthwise input gradient" + what);
                assertClose(d[1], f[1].to(D), "depthwise weight gradient" + what);
            }
        }
    }

    /** d/dx and d/dw of sum(conv(x, w)^2) / 2, by libtorch's autograd. */
    private static Tensor[] gradients(Tensor x, Tensor w, int stride, int groups) {
        Tensor xl = x.detach().clone().set_requires_grad(true), wl = w.detach().clone().set_requires_grad(true);
        Convolution.conv2d(xl, wl, null, stride, w.size(2) / 2, groups).pow(new org.bytedeco.pytorch.Scalar(2.0)).sum().div(new org.bytedeco.pytorch.Scalar(2.0)).backward();
        return new Tensor[] {xl.grad(), wl.grad()};
    }

    /**
     * The channels-last detour of a faulty shape stays inside that one convolution: its output is in the default
     * layout, so the next layers (a channels-last 1x1 convolution crashed oneDNN with SIGFPE) never see channels-last.
     */
    @Test
    void theOutputOfAFaultyShapeIsInTheDefaultLayout() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.randn(4, 51, 14, 14), w = torch.randn(64, 51, 3, 3);
            assertTrue(Convolution.faulty(51, 3, 1));
            Tensor y = Convolution.conv2d(x, w, null, 1, 1, 1);
            assertTrue(y.is_contiguous(), "default (NCHW) layout");
            // and a ResNet50 bottleneck's 1x1 after it runs (the shape that crashed: 256 -> 1024 on 7 x 7)
            Tensor z = Convolution.conv2d(Convolution.conv2d(torch.randn(64, 51, 7, 7), torch.randn(256, 51, 3, 3), null, 1, 1, 1),
                    torch.randn(1024, 256, 1, 1), null, 1, 0, 1);
            assertTrue(z.size(1) == 1024);
        }
    }

    @Test
    void depthwiseConvolutionsAreRightForEveryWidth() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            torch.manual_seed(4);
            for (int c = 1; c <= 70; c++) {
                Tensor x = torch.randn(2, c, 7, 7);
                Tensor w = torch.randn(c, 1, 3, 3);
                Tensor ref = torch.conv2d(x.to(D), w.to(D), new TensorOptional(), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, c);
                assertClose(ref, Convolution.conv2d(x, w, null, 1, 1, c).to(D), "depthwise c=" + c);
            }
        }
    }

    private static void assertClose(Tensor ref, Tensor got, String what) {
        double scale = Math.max(1.0, ref.abs().max().item_double());
        double diff = ref.sub(got).abs().max().item_double() / scale;
        assertTrue(diff < 1e-5, what + ": relative difference " + diff);
    }
}
