package io.ispasp.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Reads the images of an arbitrary folder, of any sizes, as {@code size x size} images: calibration data for a model
 * trained elsewhere (e.g. a torchvision ImageNet model pruned on whatever images are at hand). Two layouts, detected
 * from what {@code DIR} holds:
 * <ul>
 *   <li><b>flat</b>: image files directly in {@code DIR}. The set is unlabelled ({@link ImageDataset#labelled()} is
 *       false, no classes).</li>
 *   <li><b>class folders</b>: {@code DIR/<class>/*.jpg}, one sub-folder per class. Labels are the index of the class
 *       folder in name order ({@link String#compareTo}), as in {@link ImageFolder}; every class folder must hold
 *       images directly (no deeper nesting).</li>
 * </ul>
 * Both image files and sub-folders directly in {@code DIR} is an error, as is a folder with neither. Names starting
 * with a dot (hidden files and folders, macOS {@code ._x.jpg} companions) are ignored everywhere; image files are
 * those ending in .jpg, .jpeg or .png (any case), other files are ignored. Files are sorted by name, and images come
 * round-robin across classes (image 0 of every class, then image 1, ...; a class that runs out is skipped), so the
 * first {@code limit} are as class-balanced as the tree allows.
 *
 * <p>A split tree {@code DIR/train/<class>/}, {@code DIR/test/<class>/} is not read here as a whole: {@code train}
 * would be taken as a class folder and fail for holding folders instead of images (the message says so). Pass
 * {@code DIR/train} or {@code DIR/test} to read one split with this reader, or use {@link Cifar10#load}, which reads
 * such trees (same-size images, CIFAR-10 normalisation, both splits with the same classes) as before.
 *
 * <p><b>Resize</b>, as torchvision's {@code Resize(size)} followed by {@code CenterCrop(size)}: the shorter side is
 * scaled to {@code size} and the longer one to {@code floor(size * long / short)}, bilinear with half-pixel centres
 * and antialiased when shrinking ({@link Resize#bilinear}, libtorch's {@code interpolate}, like torchvision's tensor
 * path and close to PIL's bilinear), then the centred {@code size x size} square is cut out (offset
 * {@code round((resized - size) / 2)}, halves to even as Python rounds). Results are rounded to 0..255 and kept as
 * bytes. Note torchvision's usual ImageNet evaluation scales to 256 and crops 224 (a 0.875 crop); calling this with
 * 224 keeps the whole shorter side instead. Grayscale images get the gray value in R, G and B, and an alpha channel
 * is dropped ({@link ImageDecoder}).
 *
 * <p><b>Normalisation</b>: {@link Normalization#IMAGENET} (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225), what
 * torchvision's pretrained models expect; {@link ImageDataset#normalised} gives another.
 */
public final class ImageTree {
    /** Largest image side accepted. */
    public static final int MAX_SIZE = 1024;
    /** Decoder threads at most: decoding and resizing photos is heavier than CIFAR's 32x32 files, and memory-hungry. */
    private static final int MAX_THREADS = 4;
    /**
     * Images per decoding task: small, so that the first batch of a set being decoded arrives after a few photos
     * rather than after a quarter of them; each task's cost (a future) is nothing beside decoding eight photos.
     */
    private static final int CHUNK = 8;
    private static final String EXTENSIONS = ".jpg, .jpeg, .png (any case)";

    private ImageTree() {}

    /**
     * The first {@code limit} images of {@code dir} (all when {@code limit == 0}) in the order above, each resized
     * and centre-cropped to {@code size x size}, normalised with ImageNet statistics. Only those files are decoded,
     * and all of them before this returns.
     *
     * @param size the side of the square images (the model's input side), 1..{@value #MAX_SIZE}
     * @param limit how many images at most; 0 for all
     * @throws IllegalArgumentException when {@code size} is outside [1, {@value #MAX_SIZE}] or {@code limit < 0}
     * @throws IOException with a one-line message naming the folder or file: a missing folder, no images, image
     *         files and sub-folders mixed in {@code dir}, a class folder without images, or an undecodable file
     */
    public static ImageDataset load(Path dir, int size, int limit) throws IOException {
        Decoding d = start(dir, size, limit, ImageDecoder::read);
        try {
            d.arrivals().awaitAll();
        } finally {
            d.arrivals().cancel();
        }
        return d.images();
    }

    /**
     * Like {@link #load}, but returns as soon as the folder is listed: the images are decoded and resized in the
     * background, in order, a few at a time, while the caller already uses the first ones (a prune's first forward
     * pass over the calibration images). Reading an image waits for it; one that cannot be decoded makes that read
     * throw an {@link java.io.UncheckedIOException} whose cause names the file ({@link ImageDataset}). The decoding
     * runs to its end on daemon threads even when nobody reads the set any more.
     *
     * @throws IllegalArgumentException and {@link IOException} as {@link #load} does, except for undecodable files
     */
    public static ImageDataset open(Path dir, int size, int limit) throws IOException {
        return open(dir, size, limit, ImageDecoder::read);
    }

    /** {@link #open} with another image reader (tests hold a file back to see that earlier ones are readable). */
    static ImageDataset open(Path dir, int size, int limit, Reader reader) throws IOException {
        Decoding d = start(dir, size, limit, reader);
        return d.images().arriving(d.arrivals());
    }

    /** Reads one image file. */
    @FunctionalInterface
    interface Reader {
        ImageDecoder.Rgb read(Path file) throws IOException;
    }

    /** A set whose pixel array {@code arrivals} is filling. */
    private record Decoding(ImageDataset images, Arrivals arrivals) {}

    /** Checks the arguments, lists the folder and starts decoding the chosen files into the set's pixel array. */
    private static Decoding start(Path dir, int size, int limit, Reader reader) throws IOException {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("image size must be in [1, " + MAX_SIZE + "], got " + size);
        }
        if (limit < 0) throw new IllegalArgumentException("image limit must be >= 0 (0 = all images), got " + limit);
        Layout layout = scan(dir);
        List<ImageFolder.Item> items = ImageFolder.interleave(layout.perClass(), limit);
        long bytes = (long) items.size() * ImageDataset.CHANNELS * size * size;
        if (bytes > ImageDataset.MAX_BYTES) {
            throw new IOException(items.size() + " images of " + size + "x" + size + " in " + dir
                    + " do not fit in one memory array; use a limit of at most "
                    + ImageDataset.MAX_BYTES / ((long) ImageDataset.CHANNELS * size * size));
        }
        int n = items.size();
        byte[] pixels = new byte[(int) bytes];
        ImageDataset images;
        if (layout.classes() == null) {
            images = ImageDataset.createUnlabelled(pixels, n, size, size, Normalization.IMAGENET);
        } else {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = items.get(i).label();
            images = ImageDataset.create(pixels, labels, layout.classes(), size, size, Normalization.IMAGENET);
        }
        Arrivals arrivals = ChunkedDecode.start(0, n, MAX_THREADS, CHUNK, "image-tree-decode",
                (from, to) -> decodeRange(items, from, to, size, pixels, reader));
        return new Decoding(images, arrivals);
    }

    /** What a folder holds: the image files per class (one list for a flat folder) and the class names (null: flat). */
    record Layout(List<List<Path>> perClass, List<String> classes) {}

    /** Finds the layout of {@code dir} and lists its image files; decodes nothing. */
    static Layout scan(Path dir) throws IOException {
        if (!Files.exists(dir)) throw new IOException("image folder not found: " + dir);
        if (!Files.isDirectory(dir)) throw new IOException("not a folder: " + dir + " (expected a folder of images or of class folders)");
        List<Path> images = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        list(dir, images, folders);
        if (!images.isEmpty() && !folders.isEmpty()) {
            throw new IOException("mixed layout in " + dir + ": " + images.size() + " image files (e.g. " + images.get(0).getFileName()
                    + ") and " + folders.size() + " sub-folders (e.g. " + folders.get(0).getFileName() + ") side by side; put either"
                    + " only image files in it (unlabelled) or only class folders holding the images (labelled)");
        }
        if (!images.isEmpty()) return new Layout(List.of(images), null);
        if (folders.isEmpty()) {
            throw new IOException("no images in " + dir + ": read are files ending in " + EXTENSIONS
                    + " directly in it, or in its class sub-folders; hidden files are ignored");
        }
        List<List<Path>> perClass = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (Path folder : folders) {
            List<Path> files = new ArrayList<>();
            List<Path> inner = new ArrayList<>();
            list(folder, files, inner);
            if (files.isEmpty()) {
                String hint = inner.isEmpty() ? ""
                        : "; it holds sub-folders (e.g. " + inner.get(0).getFileName() + "), but images must lie directly in each"
                        + " class folder (for a split tree DIR/train/<class>/, pass DIR/train or DIR/test)";
                throw new IOException("class folder has no images (" + EXTENSIONS + "): " + folder + hint);
            }
            perClass.add(files);
            classes.add(folder.getFileName().toString());
        }
        return new Layout(perClass, classes);
    }

    /** The visible image files and visible sub-folders of {@code dir}, each sorted by name. */
    private static void list(Path dir, List<Path> images, List<Path> folders) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .collect(Collectors.toList());
        }
        for (Path p : entries) {
            if (Files.isDirectory(p)) folders.add(p);
            else if (ImageFolder.isImageName(p.getFileName().toString()) && Files.isRegularFile(p)) images.add(p);
        }
    }

    /** Decodes items {@code [from, to)} into their rows of {@code pixels}; returns the first failure, or null. */
    private static IOException decodeRange(List<ImageFolder.Item> items, int from, int to, int size, byte[] pixels, Reader reader) {
        int imageBytes = ImageDataset.CHANNELS * size * size;
        for (int i = from; i < to; i++) {
            Path file = items.get(i).file();
            try {
                byte[] img = resizeCrop(reader.read(file), size);
                System.arraycopy(img, 0, pixels, i * imageBytes, imageBytes);
            } catch (IOException e) {
                return e;
            } catch (RuntimeException e) {
                return new IOException(file + ": cannot resize image: " + e.getMessage(), e);
            }
        }
        return null;
    }

    /** {@code {height, width}} after scaling the shorter side of an {@code height x width} image to {@code size}. */
    static int[] resizedShape(int height, int width, int size) {
        if (width <= height) return new int[] {(int) ((long) size * height / width), size};
        return new int[] {size, (int) ((long) size * width / height)};
    }

    /** Offset of a centred crop of {@code size} from a side of {@code side}: torchvision's {@code int(round(d / 2))}. */
    static int cropOffset(int side, int size) {
        return (int) Math.rint((side - size) / 2.0);
    }

    /** {@code img} scaled (shorter side to {@code size}) and centre-cropped: {@code 3 x size x size} bytes. */
    static byte[] resizeCrop(ImageDecoder.Rgb img, int size) {
        int h = img.height();
        int w = img.width();
        int[] shape = resizedShape(h, w, size);
        int rh = shape[0];
        int rw = shape[1];
        int top = cropOffset(rh, size);
        int left = cropOffset(rw, size);
        byte[] out = new byte[ImageDataset.CHANNELS * size * size];
        byte[] planes = img.planes();
        if (rh == h && rw == w) {
            for (int c = 0; c < ImageDataset.CHANNELS; c++) {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(planes, (c * h + top + y) * w + left, out, (c * size + y) * size, size);
                }
            }
            return out;
        }
        float[] in = new float[planes.length];
        for (int i = 0; i < in.length; i++) in[i] = planes[i] & 0xff;
        float[] v;
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.of(in, 1, ImageDataset.CHANNELS, h, w);
            Tensor r = Resize.bilinear(x, rh, rw);
            v = Tensors.floats(r.narrow(2, top, size).narrow(3, left, size));
        }
        for (int i = 0; i < out.length; i++) out[i] = (byte) Math.max(0, Math.min(255, Math.round(v[i])));
        return out;
    }
}
