package io.ispasp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real CIFAR-10, when it is on disk: {@code -Dispasp.cifar10=DIR}, else {@link Cifar10#defaultDir()} (filled by
 * {@code datasets/fetch-cifar10.sh}). Skipped, with the reason shown, when it is not.
 */
class Cifar10RealDataTest {
    @Test
    void firstHundredTestImagesAreClassBalanced() throws IOException {
        String prop = System.getProperty("ispasp.cifar10");
        Path dir = prop != null && !prop.isBlank() ? Paths.get(prop) : Cifar10.defaultDir();
        Assumptions.assumeTrue(Cifar10.present(dir, false),
                "no CIFAR-10 test split in " + dir + " (run datasets/fetch-cifar10.sh or pass -Dispasp.cifar10=DIR)");
        ImageDataset d = Cifar10.load(dir, false, 100);
        assertEquals(100, d.size());
        assertEquals(10, d.numClasses());
        assertEquals(32, d.height());
        int[] perClass = new int[10];
        for (int i = 0; i < d.size(); i++) perClass[d.label(i)]++;
        // Image folders are interleaved round-robin: exactly 10 each. The official test batch is only shuffled.
        boolean folders = CifarBinary.locate(dir, false) == null;
        for (int c = 0; c < 10; c++) {
            if (folders) assertEquals(10, perClass[c], "images of class " + d.classNames().get(c));
            else assertTrue(perClass[c] > 0, "no image of class " + d.classNames().get(c));
        }
    }
}
