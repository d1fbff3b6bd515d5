package io.ispasp.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Variant;
import io.ispasp.data.ImageDataset;
import io.ispasp.data.ImageTree;
import io.ispasp.job.DataCalibration;
import io.ispasp.job.PruneJob;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.Calibration;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.runtime.TorchRuntime;

/**
 * A folder of photos as calibration data, decoded before the prune ({@link ImageTree#load}) against decoded while the
 * prune already runs on the first ones ({@link ImageTree#open}, what {@code ispasp prune --dataset images} does), side
 * by side in one process, in the order open, load, load, open: the time until the dataset is returned, the prune, the
 * sum, and whether both kept the same groups. An ImageNet-form model with random weights, the reference layout, CPU.
 * Usage: {@code PhotoTiming DIR [INPUT=224] [IMAGES=256] [ARCH=resnet34] [--variant best|paper] [--make N]};
 * {@code --make N} first writes N synthetic 500 x 375 JPEG photos (noisy gradients, about the size and decoding cost
 * of camera JPEGs at that resolution) into DIR when it has none.
 */
public final class PhotoTiming {
    private PhotoTiming() {}

    public static void main(String[] args) throws IOException {
        TorchRuntime.init();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String variantArg = BenchArgs.take(rest, "--variant"), makeArg = BenchArgs.take(rest, "--make");
        Variant variant = variantArg == null ? Variant.BEST : Variant.parse(variantArg);
        int make = makeArg == null ? 0 : Integer.parseInt(makeArg);
        if (rest.isEmpty()) throw new IllegalArgumentException("usage: bench photos DIR [INPUT] [IMAGES] [ARCH] [--variant V] [--make N]");
        Path dir = Path.of(rest.remove(0));
        int input = !rest.isEmpty() ? Integer.parseInt(rest.remove(0)) : 224;
        int images = !rest.isEmpty() ? Integer.parseInt(rest.remove(0)) : 256;
        String arch = !rest.isEmpty() ? rest.remove(0) : "resnet34";
        if (make > 0 && !Files.isDirectory(dir)) writePhotos(dir, make);

        List<String> rows = new ArrayList<>();
        List<String> kept = null;
        try (Network dense = Network.random(Architectures.image(arch, false, 1.0, 1000), 1)) {
            Layout layout = Layout.reference(dense);
            PruneOptions o = variant.applyTo(PruneJob.defaults(dense).method(Method.ISPASP).calibration(images).device(Device.CPU)).build();
            for (boolean opened : new boolean[] {true, false, false, true}) {
                long t0 = System.nanoTime();
                ImageDataset d = opened ? ImageTree.open(dir, input, images) : ImageTree.load(dir, input, images);
                double ready = (System.nanoTime() - t0) / 1e9;
                Calibration calib = DataCalibration.of(d, false);
                long t1 = System.nanoTime();
                Pruner.Outcome out = Pruner.prune(dense, layout, calib, o, new IspaspSelector(), Pruner.AfterUnit.NONE);
                double prune = (System.nanoTime() - t1) / 1e9;
                out.model().close();
                List<String> k = out.units().stream().map(r -> Arrays.toString(r.indices())).toList();
                if (kept != null && !kept.equals(k)) throw new IllegalStateException("the runs kept different groups");
                kept = k;
                rows.add(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.1f |", opened ? "open (background)" : "load (before)",
                        ready, prune, ready + prune));
            }
        }
        System.out.printf(Locale.ROOT, "%s (ImageNet form, random weights), reference layout, %d photos from %s at %dx%d, i-SpaSP --variant %s; %s%n%n",
                arch, images, dir, input, input, variant, Machine.describe());
        System.out.println("| decoding | dataset returned after s | prune s | total s |");
        System.out.println("|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("\nEvery run kept the same groups in every unit (checked).");
    }

    /** {@code n} noisy-gradient 500 x 375 JPEGs (default ImageIO quality). */
    private static void writePhotos(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(1);
        int w = 500, h = 375;
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int a = rnd.nextInt(1, 256), b = rnd.nextInt(1, 256);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = Math.min(255, x * a / w + rnd.nextInt(48)), g = Math.min(255, y * b / h + rnd.nextInt(48));
                    img.setRGB(x, y, r << 16 | g << 8 | ((x ^ y) & 0xff));
                }
            }
            ImageIO.write(img, "jpg", dir.resolve(String.format(Locale.ROOT, "photo%05d.jpg", i)).toFile());
        }
    }
}
