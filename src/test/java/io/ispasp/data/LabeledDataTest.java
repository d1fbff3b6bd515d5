package io.ispasp.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both data sets seen through {@link LabeledData} give what their own methods give. */
class LabeledDataTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void featureRowsAreTheDatasetsOwn() {
        float[] x = new float[5 * 3];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.5f;
        Dataset d = new Dataset(x, new int[] {0, 1, 2, 3, 1}, 3, 4);
        LabeledData v = d;
        assertEquals(5, v.size());
        assertEquals(4, v.classes());
        assertArrayEquals(new long[] {3}, v.sampleShape());
        int[] rows = {4, 0, 4};
        try (PointerScope s = new PointerScope()) {
            assertArrayEquals(Tensors.floats(d.features(rows)), Tensors.floats(v.inputs(rows)));
            assertArrayEquals(Tensors.floats(d.features(rows)), Tensors.floats(v.inputs(rows, Augmentation.NONE, null)));
            assertArrayEquals(Tensors.floats(d.features(1, 4)), Tensors.floats(v.inputs(1, 4)));
            assertArrayEquals(new long[] {1, 0, 1}, Tensors.longs(v.labels(rows)));
            assertArrayEquals(new long[] {1, 2, 3}, Tensors.longs(v.labels(1, 4)));
            assertArrayEquals(new long[] {3, 3}, v.inputs(rows).shape());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> v.inputs(rows, Augmentation.STANDARD, new SplittableRandom(1)));
        assertEquals("augmentation STANDARD applies to images only, not to samples of shape [3]", e.getMessage());
    }

    @Test
    void imagesAreTheImageDatasetsOwnAugmentedWithTheSameDraws() {
        int n = 6, side = 8;
        byte[] px = new byte[n * 3 * side * side];
        SplittableRandom fill = new SplittableRandom(2);
        for (int i = 0; i < px.length; i++) px[i] = (byte) fill.nextInt(256);
        ImageDataset images = ImageDataset.of(px, new int[] {0, 1, 2, 0, 1, 2}, List.of("a", "b", "c"), side, side);
        for (ImageDataset d : List.of(images, images.resized(12))) {
            LabeledData v = d;
            assertEquals(6, v.size());
            assertEquals(3, v.classes());
            assertArrayEquals(new long[] {3, d.height(), d.width()}, v.sampleShape());
            int[] rows = {5, 1, 1, 3};
            try (PointerScope s = new PointerScope()) {
                assertArrayEquals(Tensors.floats(d.images(rows)), Tensors.floats(v.inputs(rows)));
                assertArrayEquals(Tensors.floats(d.images(2, 5)), Tensors.floats(v.inputs(2, 5)));
                float[] own = Tensors.floats(d.images(rows, Augmentation.STANDARD, new SplittableRandom(7)));
                float[] viewed = Tensors.floats(v.inputs(rows, Augmentation.STANDARD, new SplittableRandom(7)));
                assertArrayEquals(own, viewed);
                assertTrue(!java.util.Arrays.equals(own, Tensors.floats(v.inputs(rows))), "the standard augmentation should change something");
                assertArrayEquals(new long[] {2, 1, 1, 0}, Tensors.longs(v.labels(rows)));
            }
        }
    }
}
