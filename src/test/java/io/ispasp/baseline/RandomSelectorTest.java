package io.ispasp.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RandomSelectorTest {
    private static Network model;
    private static Fixtures.Data data;

    @BeforeAll
    static void init() {
        TorchRuntime.init();
        model = Fixtures.mlp(new int[] {4, 40, 30, 2}, 51);
        data = Fixtures.randomData(2, 4, 2, 52);
    }

    @Test
    void reproducibleForASeedAndDifferentForAnother() {
        int[] a = keep(7, 0), b = keep(7, 0), c = keep(8, 0), d = keep(7, 1);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed should give another draw");
        assertFalse(Arrays.equals(a, Arrays.copyOf(d, a.length)), "another unit should give another draw");
    }

    @Test
    void distinctSortedIndicesInRange() {
        for (long seed = 0; seed < 20; seed++) {
            int[] k = keep(seed, 0);
            assertEquals(10, k.length);
            for (int i = 0; i < k.length; i++) {
                assertTrue(k[i] >= 0 && k[i] < 40);
                if (i > 0) assertTrue(k[i] > k[i - 1]);
            }
        }
    }

    private static int[] keep(long seed, int unit) {
        PruneOptions opts = PruneOptions.builder().method(Method.RANDOM).ratio(0.25).seed(seed).build();
        return new RandomSelector().select(Fixtures.context(model, unit, data.set(), opts)).kept();
    }
}
