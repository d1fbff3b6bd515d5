package io.ispasp.data;

import static io.ispasp.data.IdxTestFiles.bytes;
import static io.ispasp.data.IdxTestFiles.ubytes;
import static io.ispasp.data.IdxTestFiles.write;
import static io.ispasp.data.IdxTestFiles.writeSplit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir Path dir;

    @BeforeAll
    static void torch() {
        TorchRuntime.init();
    }

    private static float norm(int p) {
        return ((p / 255f) - 0.1307f) / 0.3081f;
    }

    @Test
    void loadsPlainTrainSplitWithExactNormalisation() throws IOException {
        // Two 2x2 images.
        writeSplit(dir, true, 2, 2, ubytes(0, 255, 128, 1, 10, 20, 30, 40), ubytes(7, 0), false);
        Dataset d = Mnist.load(dir, true);
        assertEquals(2, d.size());
        assertEquals(4, d.featureSize());
        assertEquals(10, d.numClasses());
        assertEquals(7, d.label(0));
        assertEquals(0, d.label(1));
        float[] x = Tensors.floats(d.features(0, 2));
        int[] raw = {0, 255, 128, 1, 10, 20, 30, 40};
        for (int i = 0; i < raw.length; i++) assertEquals(norm(raw[i]), x[i], 0f, "pixel " + i);
        assertEquals(-0.4242127f, x[0], 1e-6f);
        assertEquals(2.8214867f, x[1], 1e-6f);
        assertArrayEquals(new long[] {7, 0}, Tensors.longs(d.labels(0, 2)));
    }

    @Test
    void loadsGzippedTestSplit() throws IOException {
        writeSplit(dir, false, 1, 3, ubytes(9, 8, 7, 6, 5, 4), ubytes(3, 9), true);
        Dataset d = Mnist.load(dir, false);
        assertEquals(2, d.size());
        assertEquals(3, d.featureSize());
        assertEquals(9, d.label(1));
        assertEquals(norm(4), Tensors.floats(d.features(1, 2))[2], 0f);
    }

    @Test
    void prefersPlainOverGz() throws IOException {
        writeSplit(dir, true, 1, 1, ubytes(1), ubytes(1), false);
        writeSplit(dir, true, 1, 1, ubytes(2, 2), ubytes(2, 2), true);
        assertEquals(1, Mnist.load(dir, true).size());
    }

    @Test
    void loadsNonSquareNon28Images() throws IOException {
        byte[] pixels = new byte[3 * 5 * 7];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) i;
        writeSplit(dir, true, 5, 7, pixels, ubytes(1, 2, 3), false);
        Dataset d = Mnist.load(dir, true);
        assertEquals(3, d.size());
        assertEquals(35, d.featureSize());
        assertEquals(norm(104), Tensors.floats(d.features(2, 3))[34], 0f);
    }

    @Test
    void missingFileMessageNamesBothForms() {
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir, true));
        assertEquals("MNIST file not found: " + dir.resolve("train-images-idx3-ubyte") + "[.gz]", e.getMessage());
    }

    @Test
    void rejectsCountMismatch() throws IOException {
        writeSplit(dir, true, 2, 2, new byte[8], ubytes(1, 2), false);
        write(dir.resolve("train-labels-idx1-ubyte"), bytes(0x801, new int[] {3}, ubytes(1, 2, 3)));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir, true));
        assertTrue(e.getMessage().contains("2 images") && e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        writeSplit(dir, true, 1, 1, ubytes(0, 0, 0), ubytes(0, 9, 10), false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir, true));
        assertTrue(e.getMessage().contains("label 10 at index 2"), e.getMessage());
    }

    @Test
    void rejectsSwappedFileKinds() throws IOException {
        writeSplit(dir, true, 1, 1, ubytes(0), ubytes(0), false);
        // A 1-D file where the images belong.
        write(dir.resolve("train-images-idx3-ubyte"), bytes(0x801, new int[] {1}, ubytes(0)));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir, true));
        assertTrue(e.getMessage().contains("marks a file of labels (1-D), expected images (3-D)"), e.getMessage());
    }

    @Test
    void loadsRealMnistWhenPresent() throws IOException {
        Path real = Path.of("datasets", "mnist");
        Assumptions.assumeTrue(Files.isDirectory(real), "datasets/mnist not present; run datasets/fetch-mnist.sh");
        for (boolean train : new boolean[] {true, false}) {
            Dataset d = Mnist.load(real, train);
            assertEquals(train ? 60000 : 10000, d.size());
            assertEquals(784, d.featureSize());
            int[] hist = new int[10];
            for (int i = 0; i < d.size(); i++) hist[d.label(i)]++;
            for (int c = 0; c < 10; c++) assertTrue(hist[c] > 0, "class " + c + " missing");
            float[] first = Tensors.floats(d.features(0, 1));
            assertEquals(norm(0), first[0], 0f); // MNIST corners are background
        }
    }
}
