package io.ispasp.model.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The FLOPs and parameter counts the paper's table and the issue require, at 224x224. */
class ComplexityTest {
    @Test
    void resnet34MatchesThePapersCounts() {
        ConvSpec dense = ConvSpec.dense(Arch.RESNET34, false, 1000, 1.0);
        Complexity c = Complexity.of(dense, 224);
        assertEquals("3.67", String.format("%.2f", c.flops() / 1e9));
        assertEquals(3_671_262_720L - 512 * 7 * 7, c.flops(), "fvcore's count of torchvision resnet34 without the final average pool");
        assertEquals("21.80", String.format("%.2f", c.params() / 1e6));
        Complexity ref = Complexity.of(Layout.reference(dense).apply(dense), 224);
        assertEquals("2.695", String.format("%.3f", ref.flops() / 1e9));
        assertEquals("18.56", String.format("%.2f", ref.params() / 1e6));
    }

    @Test
    void mobilenetV2MatchesThePapersCounts() {
        ConvSpec dense = ConvSpec.dense(Arch.MOBILENETV2, false, 1000, 1.0);
        Complexity c = Complexity.of(dense, 224);
        assertEquals("314.1", String.format("%.1f", c.flops() / 1e6));
        assertEquals("3.50", String.format("%.2f", c.params() / 1e6));
        Complexity ref = Complexity.of(Layout.reference(dense).apply(dense), 224);
        assertEquals("258.6", String.format("%.1f", ref.flops() / 1e6));
        assertEquals("3.25", String.format("%.2f", ref.params() / 1e6));
    }

    @Test
    void resnet18MatchesTorchvision() {
        Complexity c = Complexity.of(ConvSpec.dense(Arch.RESNET18, false, 1000, 1.0), 224);
        assertEquals(11_689_512L, c.params(), "torchvision resnet18 parameter count");
        assertEquals("1.82", String.format("%.2f", c.flops() / 1e9));
    }

    @Test
    void torchvisionParameterCounts() {
        assertEquals(21_797_672L, Complexity.of(ConvSpec.dense(Arch.RESNET34, false, 1000, 1.0), 224).params());
        assertEquals(3_504_872L, Complexity.of(ConvSpec.dense(Arch.MOBILENETV2, false, 1000, 1.0), 224).params());
    }

    @Test
    void countsMatchTheBuiltNets() {
        for (ConvSpec spec : new ConvSpec[] {ConvFixtures.tinyResNet(), ConvFixtures.tinyMobileNet(),
                ConvSpec.dense(Arch.RESNET34, true, 10, 0.25).withInner(3, 5)}) {
            try (ConvNet net = ConvNet.random(spec, 1)) {
                assertEquals(Complexity.of(spec, 32).params(), net.params(), spec.toString());
            }
        }
    }
}
