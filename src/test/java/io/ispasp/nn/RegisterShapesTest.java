package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.stream.Stream;

import io.ispasp.runtime.TorchRuntime;
import io.ispasp.nn.arch.Bert;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shapes of every unit's X and H inferred from the parameter shapes alone ({@link Unit#inputShape},
 * {@link Unit#hiddenShape}) are the shapes a forward gives, on every architecture, dense and with a unit cut.
 */
class RegisterShapesTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest
    @MethodSource("architectures")
    void inferredShapesAreTheForwardShapes(Architecture arch) {
        try (Network dense = NetFixtures.randomized(arch, 2);
             Network pruned = Surgery.keep(dense, dense.units().size() / 2, new int[] {0, 1})) {
            for (Network net : new Network[] {dense, pruned}) {
                try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    Tensor x = NetFixtures.inputs(arch, 2, 1);
                    long[] sample = Arrays.copyOfRange(x.shape(), 1, (int) x.dim());
                    for (Unit u : net.units()) {
                        Tensor in = u.input(x), h = u.hidden(in);
                        assertArrayEquals(Arrays.copyOfRange(in.shape(), 1, (int) in.dim()), u.inputShape(sample), u.name() + " X");
                        long[] hs = u.hiddenShape(sample);
                        if (arch instanceof Bert) {   // H holds the real tokens' rows of the batch; per sequence [seq, N]
                            assertArrayEquals(new long[] {sample[0], h.size(1)}, hs, u.name() + " H");
                        } else {
                            assertArrayEquals(Arrays.copyOfRange(h.shape(), 1, (int) h.dim()), hs, u.name() + " H");
                        }
                    }
                }
            }
        }
    }
}
