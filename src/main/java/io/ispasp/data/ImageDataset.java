package io.ispasp.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * An in-memory set of RGB images, labelled or not, kept as unsigned bytes ({@code N x C x H x W}, one plane per
 * channel, rows top to bottom) and turned into normalised float tensors batch by batch, so a split costs one byte per
 * pixel. Immutable and safe to share between threads: every method reads only, and {@link #images} draws its random
 * numbers from the generator the caller passes.
 *
 * <p>Pixels {@code p} in 0..255 become {@code (p / 255 - mean[c]) / std[c]} with the statistics of the set's
 * {@link #normalization()}: {@link Normalization#CIFAR10} unless the set was made with another (the image-tree reader
 * {@link ImageTree} uses {@link Normalization#IMAGENET}); {@link #normalised(Normalization)} gives a view with other
 * statistics. A {@link #resized(int) resized} view returns the same images bilinearly scaled to a square size (for
 * networks built for 64x64 or 224x224 inputs); {@link #height()} and {@link #width()} always give the size of the
 * tensors {@link #images} returns.
 *
 * <p>An unlabelled set ({@link #unlabelled}, e.g. calibration images from a flat folder) has {@link #labelled()}
 * false, no class names ({@link #numClasses()} is 0), and its {@link #label(int)} and {@code labels(...)} throw
 * {@link IllegalStateException}.
 *
 * <p>A set from {@link ImageTree#open} is still being decoded in the background when the caller gets it: every read
 * of an image ({@link #images}, {@link #pixel}, {@link #head}) waits until that image is decoded, and throws an
 * {@link java.io.UncheckedIOException} naming the file when it could not be. Sizes, labels and class names are known
 * from the start.
 */
public final class ImageDataset implements LabeledData {
    /** Channels every image has: the normalisation constants are RGB ones. */
    static final int CHANNELS = 3;
    /** Largest pixel array we accept: the longest Java byte array, with some headroom. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

    private final byte[] pixels;
    /** Number of images. */
    private final int count;
    /** Class index of each image; null in an unlabelled set. */
    private final int[] labels;
    /** Empty in an unlabelled set. */
    private final List<String> classNames;
    private final int sourceHeight;
    private final int sourceWidth;
    /** Output side of a resized view; 0 when images keep their stored size. */
    private final int outputSize;
    private final Normalization normalization;
    /** Images still being decoded in the background ({@link ImageTree#open}); null once all were there from the start. */
    private final Arrivals arrivals;

    private ImageDataset(byte[] pixels, int count, int[] labels, List<String> classNames, int height, int width,
                         int outputSize, Normalization normalization, Arrivals arrivals) {
        this.pixels = pixels;
        this.count = count;
        this.labels = labels;
        this.classNames = classNames;
        this.sourceHeight = height;
        this.sourceWidth = width;
        this.outputSize = outputSize;
        this.normalization = normalization;
        this.arrivals = arrivals;
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
        return of(pixels, labels, classNames, height, width, Normalization.CIFAR10);
    }

    /** Like {@link #of(byte[], int[], List, int, int)}, normalised with {@code normalization}. */
    public static ImageDataset of(byte[] pixels, int[] labels, List<String> classNames, int height, int width,
                                  Normalization normalization) {
        return create(pixels.clone(), labels.clone(), classNames, height, width, normalization);
    }

    /**
     * An unlabelled data set over a copy of {@code pixels}: {@code count x 3 x height x width} unsigned bytes.
     *
     * @throws IllegalArgumentException when the sizes do not agree or {@code count < 0}
     */
    public static ImageDataset unlabelled(byte[] pixels, int count, int height, int width, Normalization normalization) {
        return createUnlabelled(pixels.clone(), count, height, width, normalization);
    }

    /** Like {@link #of} but takes ownership of the arrays (no copy): the loaders' path for arrays nobody else holds. */
    static ImageDataset create(byte[] pixels, int[] labels, List<String> classNames, int height, int width) {
        return create(pixels, labels, classNames, height, width, Normalization.CIFAR10);
    }

    /** Like {@link #of} but takes ownership of the arrays (no copy). */
    static ImageDataset create(byte[] pixels, int[] labels, List<String> classNames, int height, int width,
                               Normalization normalization) {
        if (classNames.isEmpty()) throw new IllegalArgumentException("need at least one class");
        checkSizes(pixels, labels.length, height, width);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " outside [0," + classNames.size() + ")");
            }
        }
        List<String> names = List.copyOf(classNames);
        return new ImageDataset(pixels, labels.length, labels, names, height, width, 0, Objects.requireNonNull(normalization, "normalization"),
                null);
    }

    /** Like {@link #unlabelled} but takes ownership of {@code pixels} (no copy). */
    static ImageDataset createUnlabelled(byte[] pixels, int count, int height, int width, Normalization normalization) {
        if (count < 0) throw new IllegalArgumentException("image count must not be negative, got " + count);
        checkSizes(pixels, count, height, width);
        return new ImageDataset(pixels, count, null, List.of(), height, width, 0, Objects.requireNonNull(normalization, "normalization"),
                null);
    }

    /**
     * This set whose pixels {@code arrivals} is still writing: every read of an image waits for it (and throws its
     * decoding error). The loaders' path for images decoded while the caller already computes.
     */
    ImageDataset arriving(Arrivals arrivals) {
        if (arrivals.from() != 0 || arrivals.to() != count) {
            throw new IllegalArgumentException("arrivals of rows [" + arrivals.from() + "," + arrivals.to() + ") for " + count + " images");
        }
        return new ImageDataset(pixels, count, labels, classNames, sourceHeight, sourceWidth, outputSize, normalization, arrivals);
    }

    private static void checkSizes(byte[] pixels, int count, int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        long expected = (long) count * CHANNELS * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected " + count + " x "
                    + CHANNELS + " x " + height + " x " + width);
        }
    }

    /** The CIFAR-10-normalised value of pixel value {@code p} (0..255) in channel {@code c}. */
    static float normalise(int c, int p) {
        return Normalization.CIFAR10.normalise(c, p);
    }

    /** Number of images. */
    @Override
    public int size() { return count; }

    /** Whether the images have labels; false for an unlabelled set, which has no classes. */
    public boolean labelled() { return labels != null; }

    /** The per-channel statistics {@link #images} normalises with. */
    public Normalization normalization() { return normalization; }

    /**
     * A view of the same images (shared, no copy) normalised with {@code n}; this set itself when it already is.
     * For feeding e.g. CIFAR-10 images to a network trained with ImageNet statistics.
     */
    public ImageDataset normalised(Normalization n) {
        Objects.requireNonNull(n, "normalization");
        if (n == normalization) return this;
        return new ImageDataset(pixels, count, labels, classNames, sourceHeight, sourceWidth, outputSize, n, arrivals);
    }

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

    /** Number of classes (the length of {@link #classNames()}, also when some class has no image here); 0 when unlabelled. */
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

    /** The class names, index = label (unmodifiable); empty when unlabelled. */
    public List<String> classNames() { return classNames; }

    /**
     * The class index of image {@code i}.
     *
     * @throws IllegalStateException when the set is unlabelled
     */
    public int label(int i) {
        requireLabels();
        Objects.checkIndex(i, count);
        return labels[i];
    }

    /** The stored pixel (0..255) of image {@code i}, channel {@code c}, row {@code y}, column {@code x}, before any resize. */
    public int pixel(int i, int c, int y, int x) {
        Objects.checkIndex(i, count);
        Objects.checkIndex(c, CHANNELS);
        Objects.checkIndex(y, sourceHeight);
        Objects.checkIndex(x, sourceWidth);
        if (arrivals != null) arrivals.await(i);
        return pixels[((i * CHANNELS + c) * sourceHeight + y) * sourceWidth + x] & 0xff;
    }

    /**
     * The first {@code n} images (this set itself when {@code n >= size()}), with the same class names (or none),
     * output size and normalisation.
     *
     * @throws IllegalArgumentException when {@code n <= 0}
     */
    public ImageDataset head(int n) {
        if (n <= 0) throw new IllegalArgumentException("need at least one image, got " + n);
        if (n >= size()) return this;
        if (arrivals != null) for (int i = 0; i < n; i++) arrivals.await(i);
        return new ImageDataset(Arrays.copyOf(pixels, n * imageBytes()), n, labels == null ? null : Arrays.copyOf(labels, n),
                classNames, sourceHeight, sourceWidth, outputSize, normalization, null);
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
        return new ImageDataset(pixels, count, labels, classNames, sourceHeight, sourceWidth, out, normalization, arrivals);
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
            Objects.checkIndex(row, count);
            if (arrivals != null) arrivals.await(row);
            aug.apply(pixels, row * imageBytes, scratch, CHANNELS, sourceHeight, sourceWidth, rnd);
            int o = k * imageBytes;
            for (int c = 0; c < CHANNELS; c++) {
                float[] lut = normalization.table(c);
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
     * @throws IllegalStateException when the set is unlabelled
     * @throws IndexOutOfBoundsException unless {@code 0 <= from < to <= size()}
     */
    @Override
    public Tensor labels(int from, int to) {
        requireLabels();
        checkRange(from, to);
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) l[i - from] = labels[i];
        return Tensors.ofLongs(l);
    }

    /**
     * Labels of the images listed in {@code rows}, in that order, as a new int64 tensor {@code [rows.length]}.
     *
     * @throws IllegalStateException when the set is unlabelled
     * @throws IndexOutOfBoundsException when a row is outside {@code [0, size())}
     */
    @Override
    public Tensor labels(int[] rows) {
        requireLabels();
        long[] l = new long[rows.length];
        for (int i = 0; i < rows.length; i++) l[i] = labels[Objects.checkIndex(rows[i], count)];
        return Tensors.ofLongs(l);
    }

    private void requireLabels() {
        if (labels == null) {
            throw new IllegalStateException("this image set (" + count + " images) is unlabelled (e.g. read from a flat image"
                    + " folder without class sub-folders): it has no labels, only label-free uses such as calibration work on it");
        }
    }

    private int imageBytes() {
        return CHANNELS * sourceHeight * sourceWidth;
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from >= to) throw new IndexOutOfBoundsException("images [" + from + "," + to + ") of " + size());
    }
}
