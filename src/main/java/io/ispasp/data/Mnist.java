package io.ispasp.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads MNIST (or any set stored in the same idx layout, such as Fashion-MNIST) from a directory holding the
 * standard file names, each optionally gzip-compressed with a {@code .gz} suffix.
 */
public final class Mnist {
    /** Number of classes in MNIST-format sets. */
    public static final int NUM_CLASSES = 10;
    /** Mean and standard deviation of MNIST training pixels in [0,1], the usual normalisation constants. */
    static final float MEAN = 0.1307f;
    static final float STD = 0.3081f;

    private Mnist() {}

    /** The base file names (without {@code .gz}) of the images and labels of one split. */
    static String[] fileNames(boolean train) {
        String prefix = train ? "train" : "t10k";
        return new String[] {prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"};
    }

    /**
     * Loads the training split ({@code train-*}) or the test split ({@code t10k-*}) from {@code dir}.
     * Pixels are scaled to [0,1] then normalised with MNIST's mean and standard deviation; each image becomes
     * one row of {@code rows * cols} features.
     *
     * @throws IOException when a file is missing or malformed, the counts differ, or a label is outside 0..9
     */
    public static Dataset load(Path dir, boolean train) throws IOException {
        String[] names = fileNames(train);
        Path imagesFile = locate(dir, names[0]);
        Path labelsFile = locate(dir, names[1]);
        IdxFile images = IdxFile.read(imagesFile, 3);
        IdxFile labels = IdxFile.read(labelsFile, 1); // the ranks are checked there, from the magic numbers
        int n = images.dim(0);
        if (labels.dim(0) != n) {
            throw new IOException(dir + ": " + n + " images in " + imagesFile.getFileName() + " but " + labels.dim(0)
                    + " labels in " + labelsFile.getFileName());
        }
        int featureSize = images.dim(1) * images.dim(2);

        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.get(i);
            if (y[i] >= NUM_CLASSES) {
                throw new IOException(labelsFile + ": label " + y[i] + " at index " + i + " outside 0.." + (NUM_CLASSES - 1));
            }
        }
        // Precomputed per pixel value: 256 entries instead of a divide per element.
        float[] lut = new float[256];
        for (int p = 0; p < 256; p++) lut[p] = ((p / 255f) - MEAN) / STD;
        float[] x = new float[images.size()];
        for (int i = 0; i < x.length; i++) x[i] = lut[images.get(i)];
        return new Dataset(x, y, featureSize, NUM_CLASSES);
    }

    /** {@code dir/name} if it exists, else {@code dir/name.gz} if that exists. */
    static Path locate(Path dir, String name) throws IOException {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) return plain;
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        throw new IOException("MNIST file not found: " + plain + "[.gz]");
    }

    /** Whether both files of the split are present in {@code dir} (plain or gzipped); does not validate them. */
    static boolean present(Path dir, boolean train) {
        for (String name : fileNames(train)) {
            if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) return false;
        }
        return true;
    }
}
