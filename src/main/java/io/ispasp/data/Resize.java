package io.ispasp.data;

import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.kBilinear;

/** Bilinear resizing of float image batches with libtorch's {@code interpolate}. */
final class Resize {
    private Resize() {}

    /**
     * {@code x} ({@code [N, C, H, W]}, float) resized to {@code [N, C, height, width]}: bilinear with half-pixel
     * centres ({@code align_corners=false}, the torchvision convention), antialiased when a side shrinks so that
     * downscaling averages instead of skipping pixels. The result and the small options object live in the caller's
     * PointerScope (no inner scope: JavaCPP's detach would free the result with it).
     */
    static Tensor bilinear(Tensor x, int height, int width) {
        InterpolateFuncOptions o = new InterpolateFuncOptions();
        o.size().put(new LongVector(height, width));
        o.mode().put(new kBilinear());
        o.align_corners().put(false);
        o.antialias().put(height < x.size(2) || width < x.size(3));
        return torch.interpolate(x, o);
    }
}
