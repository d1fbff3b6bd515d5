package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ispasp.nn.arch.Architectures;
import org.junit.jupiter.api.Test;

/** The FLOPs and parameter counts the paper's table and torchvision give, at 224x224, from the blueprints alone. */
class ComplexityTest {
    static Complexity dense(String arch) {
        Blueprint b = Architectures.parse(arch).blueprint();
        return Complexity.of(b.program(), b.shapes(), new long[] {3, 224, 224});
    }

    static Complexity reference(String arch) {
        try (Network net = Network.random(Architectures.parse(arch), 1)) {
            return net.complexity(224, io.ispasp.prune.Layout.reference(net).widths(net));
        }
    }

    @Test
    void resnet34MatchesThePapersCounts() {
        Complexity c = dense("resnet34");
        assertEquals("3.67", String.format("%.2f", c.flops() / 1e9));
        assertEquals(3_671_262_720L - 512 * 7 * 7, c.flops(), "fvcore's count of torchvision resnet34 without the final average pool");
        assertEquals("21.80", String.format("%.2f", c.params() / 1e6));
        Complexity ref = reference("resnet34");
        assertEquals("2.695", String.format("%.3f", ref.flops() / 1e9));
        assertEquals("18.56", String.format("%.2f", ref.params() / 1e6));
    }

    @Test
    void mobilenetV2MatchesThePapersCounts() {
        Complexity c = dense("mobilenet_v2");
        assertEquals("314.1", String.format("%.1f", c.flops() / 1e6));
        assertEquals("3.50", String.format("%.2f", c.params() / 1e6));
        Complexity ref = reference("mobilenet_v2");
        assertEquals("258.6", String.format("%.1f", ref.flops() / 1e6));
        assertEquals("3.25", String.format("%.2f", ref.params() / 1e6));
    }

    @Test
    void resnet18MatchesTorchvision() {
        Complexity c = dense("resnet18");
        assertEquals(11_689_512L, c.params(), "torchvision resnet18 parameter count");
        assertEquals("1.82", String.format("%.2f", c.flops() / 1e9));
    }

    @Test
    void torchvisionParameterCounts() {
        assertEquals(21_797_672L, dense("resnet34").params());
        assertEquals(3_504_872L, dense("mobilenet_v2").params());
    }

    @Test
    void countsMatchTheBuiltNets() {
        for (Architecture arch : NetFixtures.all()) {
            try (Network net = Network.random(arch, 1)) {
                int side = arch.nativeInput() == 224 ? 64 : arch.nativeInput();
                assertEquals(net.complexity(side).params(), net.params(), arch.describe());
            }
        }
    }
}
