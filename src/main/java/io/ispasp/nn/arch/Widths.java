package io.ispasp.nn.arch;

/** Channel widths under a width multiplier. */
final class Widths {
    private Widths() {}

    /** max(1, round(c * width)): ResNet and VGG widths. */
    static int scaled(int c, double width) { return Math.max(1, (int) Math.round(c * width)); }

    /** torchvision's _make_divisible(v, 8): nearest multiple of 8, at least 8, not below 90% of v (MobileNetV2). */
    static int divisible(double v) {
        int d = 8;
        int nv = Math.max(d, (int) (v + d / 2.0) / d * d);
        if (nv < 0.9 * v) nv += d;
        return nv;
    }

    static void check(double width, int classes) {
        if (!(width > 0) || width > 16) throw new IllegalArgumentException("width multiplier must be in (0, 16], got " + width);
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
}
