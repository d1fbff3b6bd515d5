package io.ispasp.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads an ImageFolder-style tree: {@code DIR/train/<class>/*.jpg|*.jpeg|*.png} and {@code DIR/test/<class>/...}.
 *
 * <ul>
 *   <li>Classes are the sub-folders of the split folder, sorted by name ({@link String#compareTo}); the label is
 *       the index in that order. Folders whose name starts with a dot are ignored.</li>
 *   <li>Image files are those ending in .jpg, .jpeg or .png (any case); other files are ignored. Within a class
 *       they are sorted by file name.</li>
 *   <li>Order: round-robin across classes (image 0 of class 0, image 0 of class 1, ..., image 1 of class 0, ...);
 *       a class that runs out is skipped from then on. So the first N images are as class-balanced as the tree
 *       allows, which is what {@code --limit N} (quick runs, calibration) needs.</li>
 *   <li>All images must have the size of the first one.</li>
 * </ul>
 */
final class ImageFolder {
    static final String TRAIN = "train";
    static final String TEST = "test";
    /** Decoder threads at most: decoding 32x32 files is cheap, more threads mostly add contention. */
    private static final int MAX_THREADS = 8;

    private ImageFolder() {}

    static String splitName(boolean train) {
        return train ? TRAIN : TEST;
    }

    /** Whether {@code dir} has the split's folder; does not look inside it. */
    static boolean present(Path dir, boolean train) {
        return Files.isDirectory(dir.resolve(splitName(train)));
    }

    /**
     * Decodes the first {@code limit} images of the split in the order above (all when {@code limit <= 0}); only
     * those files are decoded.
     *
     * @throws IOException naming the folder or file: no class folders, a class folder without images, class folders
     *         that differ between train and test, an unreadable image, or an image whose size differs from the first
     */
    static ImageDataset read(Path dir, boolean train, int limit) throws IOException {
        Path splitDir = dir.resolve(splitName(train));
        List<String> classes = classFolders(splitDir);
        if (classes.isEmpty()) throw new IOException("no class folders in " + splitDir);
        checkSameClasses(dir, train, classes);
        List<List<Path>> perClass = new ArrayList<>();
        for (String c : classes) perClass.add(imageFiles(splitDir.resolve(c)));
        List<Item> order = interleave(perClass, limit);
        return decode(order, classes);
    }

    /** One image to load: its file and label. */
    record Item(Path file, int label) {}

    /** The sorted names of the visible sub-folders of {@code splitDir}. */
    static List<String> classFolders(Path splitDir) throws IOException {
        try (Stream<Path> s = Files.list(splitDir)) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** The image files of one class folder, sorted by name. */
    static List<Path> imageFiles(Path classDir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(classDir)) {
            files = s.filter(p -> isImageName(p.getFileName().toString()) && Files.isRegularFile(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .collect(Collectors.toList());
        }
        if (files.isEmpty()) throw new IOException("class folder has no images (*.jpg, *.jpeg, *.png): " + classDir);
        return files;
    }

    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /** When the other split's folder exists, its class folders must be the same, or labels would disagree. */
    private static void checkSameClasses(Path dir, boolean train, List<String> classes) throws IOException {
        Path other = dir.resolve(splitName(!train));
        if (!Files.isDirectory(other)) return;
        List<String> otherClasses = classFolders(other);
        if (otherClasses.equals(classes)) return;
        List<String> onlyHere = new ArrayList<>(classes);
        onlyHere.removeAll(otherClasses);
        List<String> onlyThere = new ArrayList<>(otherClasses);
        onlyThere.removeAll(classes);
        throw new IOException("class folders differ between " + dir.resolve(splitName(train)) + " and " + other
                + ": only in " + splitName(train) + ": " + onlyHere + ", only in " + splitName(!train) + ": " + onlyThere);
    }

    /** Round-robin over the classes, stopping after {@code limit} items ({@code limit <= 0}: all). */
    static List<Item> interleave(List<List<Path>> perClass, int limit) {
        long total = perClass.stream().mapToLong(List::size).sum();
        int n = (int) (limit > 0 ? Math.min(limit, total) : Math.min(total, Integer.MAX_VALUE));
        List<Item> out = new ArrayList<>(n);
        for (int i = 0; out.size() < n; i++) {
            for (int c = 0; c < perClass.size() && out.size() < n; c++) {
                List<Path> files = perClass.get(c);
                if (i < files.size()) out.add(new Item(files.get(i), c));
            }
        }
        return out;
    }

    /** Decodes {@code items} in parallel into one pixel array, in list order. */
    private static ImageDataset decode(List<Item> items, List<String> classes) throws IOException {
        int n = items.size();
        // The first image fixes the size every other one must have.
        ImageDecoder.Rgb first = ImageDecoder.read(items.get(0).file());
        int w = first.width();
        int h = first.height();
        int imageBytes = first.planes().length;
        if ((long) n * imageBytes > ImageDataset.MAX_BYTES) {
            throw new IOException(n + " images of " + w + "x" + h + " do not fit in memory arrays; use a limit");
        }
        byte[] pixels = new byte[n * imageBytes];
        int[] labels = new int[n];
        System.arraycopy(first.planes(), 0, pixels, 0, imageBytes);
        for (int i = 0; i < n; i++) labels[i] = items.get(i).label();

        // images 1..n-1; each chunk reports the first failure in it
        ChunkedDecode.run(1, n, MAX_THREADS, "image-decode", (from, to) -> decodeRange(items, from, to, first, items.get(0).file(), pixels));
        return ImageDataset.create(pixels, labels, classes, h, w);
    }

    /** Decodes items {@code [from, to)} into their rows of {@code pixels}; returns the first failure, or null. */
    private static IOException decodeRange(List<Item> items, int from, int to, ImageDecoder.Rgb first, Path firstFile, byte[] pixels) {
        int imageBytes = first.planes().length;
        for (int i = from; i < to; i++) {
            Path file = items.get(i).file();
            try {
                ImageDecoder.Rgb img = ImageDecoder.read(file);
                if (img.width() != first.width() || img.height() != first.height()) {
                    return new IOException(file + ": image is " + img.width() + "x" + img.height() + " (width x height) but the first image "
                            + firstFile + " is " + first.width() + "x" + first.height() + "; all images must have the same size");
                }
                System.arraycopy(img.planes(), 0, pixels, i * imageBytes, imageBytes);
            } catch (IOException e) {
                return e;
            }
        }
        return null;
    }
}
