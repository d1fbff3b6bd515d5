package io.ispasp.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * An in-memory labelled set of RGB images, kept as unsigned bytes ({@code N x C x H x W}, one plane per channel, rows
 * top to bottom) and turned into normalised float tensors batch by batch, so a split costs one byte per pixel.
 * Immutable and safe to share between threads: every method reads only, and {@link #images} draws its random numbers
 * from the generator the caller passes.
 *
 * <p>Pixels {@code p} in 0..255 become {@code (p / 255 - mean[c]) / std[c]} with the CIFAR-10 training statistics
 * ({@link #MEAN}, {@link #STD}). A {@link #resized(int) resized} view returns the same images bilinearly scaled to a
 * square size (for networks built for 64x64 or 224x224 inputs); {@link #height()} and {@link #width()} always give
 * the size of the tensors {@link #images} returns.
 */
public final class ImageDataset implements LabeledData {
    /** Per-channel mean of CIFAR-10 training pixels in [0,1] (R, G, B). */
    static final float[] MEAN = {0.4914f, 0.4822f, 0.4465f};
    /** Per-channel standard deviation of CIFAR-10 training pixels in [0,1] (R, G, B). */
    static final float[] STD = {0.2470f, 0.2435f, 0.2616f};
    /** Channels every image has: the normalisation constants are RGB ones. */
    static final int CHANNELS = 3;
    /** Largest pixel array we accept: the longest Java byte array, with some headroom. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

    /** {@code LUT[c][p]}: normalised value of pixel value p in channel c; one lookup instead of a divide per pixel. */
    private static final float[][] LUT = new float[CHANNELS][256];

    static {
        for (int c = 0; c < CHANNELS; c++) {
            for (int p = 0; p < 256; p++) LUT[c][p] = normalise(c, p);
        }
    }

    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classNames;
    private final int sourceHeight;
    private final int sourceWidth;
    /** Output side of a resized view; 0 when images keep their stored size. */
    private final int outputSize;

    private ImageDataset(byte[] pixels, int[] labels, List<String> classNames, int height, int width, int outputSize) {
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = classNames;
        this.sourceHeight = height;
        this.sourceWidth = width;
        this.outputSize = outputSize;
    }

    /**
     * A data set over copies of the given arrays.
     *
     * @param pixels     {@code labels.length x 3 x height x width} unsigned bytes, R, G and B planes of each image
     * @param labels     class index of each image, in {@code [0, classNames.size())}
     * @param classNames the class names, index = label
     * @throws IllegalArgumentException when the sizes do not agree or a label is out of range
     */
    public static ImageDataset of(byte[] pixels, int[] labels, List<String> classNames, int height, int width) {
        return create(pixels.clone(), labels.clone(), classNames, height, width);
    }

    /** Like {@link #of} but takes ownership of the arrays (no copy): the loaders' path for arrays nobody else holds. */
    static ImageDataset create(byte[] pixels, int[] labels, List<String> classNames, int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        if (classNames.isEmpty()) throw new IllegalArgumentException("need at least one class");
        long expected = (long) labels.length * CHANNELS * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected " + labels.length + " x "
                    + CHANNELS + " x " + height + " x " + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " outside [0," + classNames.size() + ")");
            }
        }
        List<String> names = List.copyOf(classNames);
        return new ImageDataset(pixels, labels, names, height, width, 0);
    }

    /** The normalised value of pixel value {@code p} (0..255) in channel {@code c}. */
    static float normalise(int c, int p) {
        return ((p / 255f) - MEAN[c]) / STD[c];
    }

    /** Number of images. */
    @Override
    public int size() { return labels.length; }

    /** Channels per image: always 3 (R, G, B). */
    public int channels() { return CHANNELS; }

    /** Height of the tensors {@link #images} returns (the resized size in a {@link #resized(int) resized} view). */
    public int height() { return outputSize > 0 ? outputSize : sourceHeight; }

    /** Width of the tensors {@link #images} returns (the resized size in a {@link #resized(int) resized} view). */
    public int width() { return outputSize > 0 ? outputSize : sourceWidth; }

    /** Height of the stored images, before any resize. */
    public int sourceHeight() { return sourceHeight; }

    /** Width of the stored images, before any resize. */
    public int sourceWidth() { return sourceWidth; }

    /** Number of classes (the length of {@link #classNames()}, also when some class has no image here). */
    public int numClasses() { return classNames.size(); }

    /** Same as {@link #numClasses()}. */
    @Override
    public int classes() { return classNames.size(); }

    /** {@code [3, height(), width()]}: the shape of one image as {@link #images} returns it. */
    @Override
    public long[] sampleShape() { return new long[] {CHANNELS, height(), width()}; }

    /** Same as {@link #images(int[])}: normalised, not augmented. */
    @Override
    public Tensor inputs(int[] rows) { return images(rows); }

    /** Same as {@link #images(int[], Augmentation, SplittableRandom)}. */
    @Override
    public Tensor inputs(int[] rows, Augmentation aug, SplittableRandom rnd) { return images(rows, aug, rnd); }

    /** Same as {@link #images(int, int)}. */
    @Override
    public Tensor inputs(int from, int to) { return images(from, to); }

    /** The class names, index = label (unmodifiable). */
    public List<String> classNames() { return classNames; }

    /** The class index of image {@code i}. */
    public int label(int i) {
        Objects.checkIndex(i, labels.length);
        return labels[i];
    }

    /** The stored pixel (0..255) of image {@code i}, channel {@code c}, row {@code y}, column {@code x}, before any resize. */
    public int pixel(int i, int c, int y, int x) {
        Objects.checkIndex(i, labels.length);
        Objects.checkIndex(c, CHANNELS);
        Objects.checkIndex(y, sourceHeight);
        Objects.checkIndex(x, sourceWidth);
        return pixels[((i * CHANNELS + c) * sourceHeight + y) * sourceWidth + x] & 0xff;
    }

    /**
     * The first {@code n} images (this set itself when {@code n >= size()}), with the same class names and the same
     * output size.
     *
     * @throws IllegalArgumentException when {@code n <= 0}
     */
    public ImageDataset head(int n) {
        if (n <= 0) throw new IllegalArgumentException("need at least one image, got " + n);
        if (n >= size()) return this;
        return new ImageDataset(Arrays.copyOf(pixels, n * imageBytes()), Arrays.copyOf(labels, n), classNames,
                sourceHeight, sourceWidth, outputSize);
    }

    /**
     * A view of the same images whose tensors are {@code size x size}: bilinear interpolation (half-pixel centres,
     * as {@code align_corners=false}), antialiased when shrinking. Resizing always starts from the stored images,
     * so {@code resized(a).resized(b)} equals {@code resized(b)}; a size equal to the stored square size gives the
     * images unchanged. Shares the pixel arrays (no copy).
     *
     * @throws IllegalArgumentException when {@code size <= 0}
     */
    public ImageDataset resized(int size) {
        if (size <= 0) throw new IllegalArgumentException("resize target must be positive, got " + size);
        int out = size == sourceHeight && size == sourceWidth ? 0 : size;
        if (out == outputSize) return this;
        return new ImageDataset(pixels, labels, classNames, sourceHeight, sourceWidth, out);
    }

    /**
     * Images {@code [from, to)} as a new float tensor {@code [to - from, 3, height(), width()]}, normalised, not
     * augmented. The tensor is made in the caller's current PointerScope.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from < to <= size()}
     */
    public Tensor images(int from, int to) {
        checkRange(from, to);
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) rows[i] = from + i;
        return images(rows, Augmentation.NONE, null);
    }

    /**
     * The images listed in {@code rows} (in that order, repeats allowed) as a new float tensor
     * {@code [rows.length, 3, height(), width()]}: each one augmented by {@code aug} at its stored size, then
     * normalised, then resized when this is a resized view. Random draws come from {@code rnd}, row by row in order,
     * so equal seeds give equal tensors. The tensor is made in the caller's current PointerScope.
     *
     * @param rnd may be null only when {@code aug} is {@link Augmentation#NONE}
     * @throws IndexOutOfBoundsException when a row is outside {@code [0, size())} or {@code rows} is empty
     */
    public Tensor images(int[] rows, Augmentation aug, SplittableRandom rnd) {
        Objects.requireNonNull(aug, "aug");
        if (aug != Augmentation.NONE) Objects.requireNonNull(rnd, "rnd (needed by augmentation " + aug + ")");
        if (rows.length == 0) throw new IndexOutOfBoundsException("no rows requested");
        int plane = sourceHeight * sourceWidth;
        int imageBytes = imageBytes();
        byte[] scratch = new byte[imageBytes];
        float[] out = new float[Math.multiplyExact(rows.length, imageBytes)];
        for (int k = 0; k < rows.length; k++) {
            int row = rows[k];
            Objects.checkIndex(row, labels.length);
            aug.apply(pixels, row * imageBytes, scratch, CHANNELS, sourceHeight, sourceWidth, rnd);
            int o = k * imageBytes;
            for (int c = 0; c < CHANNELS; c++) {
                float[] lut = LUT[c];
                for (int j = c * plane, end = j + plane; j < end; j++) out[o + j] = lut[scratch[j] & 0xff];
            }
        }
        Tensor x = Tensors.of(out, rows.length, CHANNELS, sourceHeight, sourceWidth);
        return outputSize > 0 ? Resize.bilinear(x, outputSize, outputSize) : x;
    }

    /** The images listed in {@code rows}, normalised, not augmented: {@code images(rows, Augmentation.NONE, null)}. */
    public Tensor images(int[] rows) {
        return images(rows, Augmentation.NONE, null);
    }

    /**
     * Labels of images {@code [from, to)} as a new int64 tensor {@code [to - from]}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from < to <= size()}
     */
    @Override
    public Tensor labels(int from, int to) {
        checkRange(from, to);
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) l[i - from] = labels[i];
        return Tensors.ofLongs(l);
    }

    /**
     * Labels of the images listed in {@code rows}, in that order, as a new int64 tensor {@code [rows.length]}.
     *
     * @throws IndexOutOfBoundsException when a row is outside {@code [0, size())}
     */
    @Override
    public Tensor labels(int[] rows) {
        long[] l = new long[rows.length];
        for (int i = 0; i < rows.length; i++) l[i] = labels[Objects.checkIndex(rows[i], labels.length)];
        return Tensors.ofLongs(l);
    }

    private int imageBytes() {
        return CHANNELS * sourceHeight * sourceWidth;
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from >= to) throw new IndexOutOfBoundsException("images [" + from + "," + to + ") of " + size());
    }
}
