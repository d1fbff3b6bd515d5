package io.ispasp.data;

/**
 * Per-channel normalisation of RGB pixels: a pixel {@code p} in 0..255 of channel {@code c} becomes
 * {@code (p / 255 - mean[c]) / std[c]}. A model must be fed the statistics it was trained with.
 */
public enum Normalization {
    /** CIFAR-10 training-set statistics: what the CIFAR-10 loaders use and what the models trained here expect. */
    CIFAR10(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f}),
    /**
     * ImageNet statistics, mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225): what torchvision's pretrained
     * models expect (their {@code transforms.Normalize}).
     */
    IMAGENET(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    private final float[] mean;
    private final float[] std;
    /** {@code lut[c][p]}: the normalised value of pixel value p in channel c; one lookup instead of a divide per pixel. */
    private final float[][] lut;

    Normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
        this.lut = new float[ImageDataset.CHANNELS][256];
        for (int c = 0; c < lut.length; c++) {
            for (int p = 0; p < 256; p++) lut[c][p] = ((p / 255f) - mean[c]) / std[c];
        }
    }

    /** The per-channel mean of pixels in [0,1], R, G, B (a copy). */
    public float[] mean() { return mean.clone(); }

    /** The per-channel standard deviation of pixels in [0,1], R, G, B (a copy). */
    public float[] std() { return std.clone(); }

    /** The normalised value of pixel value {@code p} (0..255) in channel {@code c} (0..2). */
    public float normalise(int c, int p) {
        return lut[c][p];
    }

    /** The lookup table of channel {@code c}, shared: callers must not write to it. */
    float[] table(int c) {
        return lut[c];
    }
}
