package io.ispasp.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads CIFAR-10 from a folder in either of two layouts, detected from what is there:
 * <ol>
 *   <li><b>binary batches</b> (the official {@code cifar-10-binary.tar.gz}): {@code data_batch_1.bin ..
 *       data_batch_5.bin} and {@code test_batch.bin}, optionally {@code batches.meta.txt}, in {@code DIR} or in
 *       {@code DIR/cifar-10-batches-bin}. Image order is file order (the batches are already shuffled).</li>
 *   <li><b>image folders</b>: {@code DIR/train/<class>/*.jpg|*.jpeg|*.png} and {@code DIR/test/<class>/...}; labels
 *       are the class folders in sorted order, and images are interleaved round-robin across classes (files sorted
 *       within a class), so the first N are class-balanced. See {@link ImageFolder}.</li>
 * </ol>
 * When both are present the binary batches win (they are the exact original pixels). Image folders may hold any
 * number of classes and any image size (the same for all images); binary batches are 10 classes of 32x32.
 */
public final class Cifar10 {
    /** Where CIFAR-10 lives unless a folder is given, relative to the project folder. */
    static final String DEFAULT_DIR = "datasets/cifar10";

    private Cifar10() {}

    /**
     * The first {@code limit} images (all when {@code limit <= 0}) of the training or test split in {@code dir}.
     * Only the files those images are in are read; with image folders, only those images are decoded.
     *
     * @throws IOException with a one-line message naming the folder or file: a missing folder, no data of either
     *         layout, a batch whose length is not a multiple of 3073 bytes, a label above 9, an unreadable image,
     *         an image of another size than the first, an empty class folder, or class folders that differ between
     *         train and test
     */
    public static ImageDataset load(Path dir, boolean train, int limit) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("CIFAR-10 directory not found: " + dir);
        Path binary = CifarBinary.locate(dir, train);
        if (binary != null) return CifarBinary.read(binary, train, limit);
        if (ImageFolder.present(dir, train)) return ImageFolder.read(dir, train, limit);
        String split = train ? "training" : "test";
        throw new IOException("no CIFAR-10 " + split + " data in " + dir + ": looked for " + CifarBinary.files(train).get(0)
                + " in it and in " + CifarBinary.SUBDIR + "/ (binary batches), and for the folder "
                + ImageFolder.splitName(train) + "/<class>/ of .jpg/.jpeg/.png images");
    }

    /**
     * Whether {@code dir} looks like it holds the split in either layout (the first batch file, or the split
     * folder); nothing is validated.
     */
    public static boolean present(Path dir, boolean train) {
        return CifarBinary.locate(dir, train) != null || ImageFolder.present(dir, train);
    }

    /** Where CIFAR-10 lives unless a folder is given: {@code datasets/cifar10} under {@link MnistFetcher#home()}. */
    public static Path defaultDir() {
        return MnistFetcher.home().resolve(DEFAULT_DIR);
    }
}
