package io.ispasp.model.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ConvNetTest {
    static ConvSpec spec(String which) {
        return which.equals("resnet") ? ConvFixtures.tinyResNet() : ConvFixtures.tinyMobileNet();
    }

    @Test
    void torchvisionNamesAndShapes() {
        var r = Shapes.of(ConvSpec.dense(Arch.RESNET34, false, 1000, 1.0));
        assertArrayEquals(new long[] {256, 256, 3, 3}, r.get("layer3.4.conv1.weight"));
        assertArrayEquals(new long[] {128, 64, 1, 1}, r.get("layer2.0.downsample.0.weight"));
        assertArrayEquals(new long[] {1000, 512}, r.get("fc.weight"));
        assertEquals(218, r.size(), "torchvision resnet34 state_dict entries");
        var m = Shapes.of(ConvSpec.dense(Arch.MOBILENETV2, false, 1000, 1.0));
        assertArrayEquals(new long[] {192, 32, 1, 1}, m.get("features.6.conv.0.0.weight"));
        assertArrayEquals(new long[] {192, 1, 3, 3}, m.get("features.6.conv.1.0.weight"));
        assertArrayEquals(new long[] {32, 192, 1, 1}, m.get("features.6.conv.2.weight"));
        assertArrayEquals(new long[] {32, 1, 3, 3}, m.get("features.1.conv.0.0.weight"), "t=1 block: depthwise first");
        assertArrayEquals(new long[] {16, 32, 1, 1}, m.get("features.1.conv.1.weight"));
        assertArrayEquals(new long[] {1280, 320, 1, 1}, m.get("features.18.0.weight"));
        assertEquals(314, m.size(), "torchvision mobilenet_v2 state_dict entries");
        assertEquals(java.util.List.of("features.2", "features.3", "features.4", "features.5", "features.6", "features.7",
                "features.8", "features.9", "features.10", "features.11", "features.12", "features.13", "features.14",
                "features.15", "features.16", "features.17"), ConvSpec.dense(Arch.MOBILENETV2, false, 1000, 1.0).unitNames());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet", "mobilenet"})
    void forwardShapesInBothForms(String which) {
        ConvSpec cifar = spec(which);
        ConvSpec imagenet = new ConvSpec(cifar.arch(), false, 7, cifar.width(), cifar.denseInner());
        try (PointerScope s = new PointerScope(); ConvNet a = ConvNet.random(cifar, 1); ConvNet b = ConvNet.random(imagenet, 1)) {
            assertArrayEquals(new long[] {2, 10}, a.forward(ConvFixtures.images(2, 32, 0)).shape());
            assertArrayEquals(new long[] {2, 7}, b.forward(ConvFixtures.images(2, 64, 0)).shape());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet", "mobilenet"})
    void unitPiecesComposeToTheForward(String which) {
        ConvSpec sp = spec(which);
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(sp, 3)) {
            Tensor x = ConvFixtures.images(3, 32, 1);
            Tensor dense = net.forward(x);
            for (int u = 0; u < sp.units(); u++) {
                Tensor in = net.unitInput(x, u);
                Tensor h = net.hidden(in, u);
                assertTrue(h.min().item_double() >= 0, "H is non-negative");
                Tensor viaPieces = net.forwardAfter(net.blockOutput(in, h, u), u);
                assertTrue(ConvFixtures.maxAbsDiff(dense, viaPieces) < 1e-4, "unit " + u);
                // B(h) = outputLinear + shift, and outputWeight folds the BN scale into B's conv
                Tensor lin = net.outputLinear(h, u);
                int pad = net.outputTaps(u) == 9 ? 1 : 0;
                Tensor viaWeight = torch.conv2d(h, net.outputWeight(u), new org.bytedeco.pytorch.TensorOptional(),
                        new long[] {1, 1}, new long[] {pad, pad}, new long[] {1, 1}, 1);
                assertTrue(ConvFixtures.maxAbsDiff(lin, viaWeight) < 1e-4);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet", "mobilenet"})
    void surgeryEqualsZeroingTheDroppedChannels(String which) {
        ConvSpec sp = spec(which);
        int unit = sp.units() - 2;
        int n = sp.inner(unit);
        int[] kept = java.util.stream.IntStream.range(0, n).filter(c -> c % 3 != 1).toArray();
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(sp, 5)) {
            Tensor x = ConvFixtures.images(4, 32, 2);
            try (ConvNet pruned = Surgery.keep(net, unit, kept); ConvNet zeroed = net.copy()) {
                assertEquals(kept.length, pruned.spec().inner(unit));
                assertTrue(pruned.params() < net.params());
                // zero the BN after A for the dropped channels: their H is exactly 0 (ReLU/ReLU6 of 0)
                String bn = sp.arch().isResNet() ? sp.unitNames().get(unit) + ".bn1" : sp.unitNames().get(unit) + ".conv.1.1";
                try (NoGradGuard g = new NoGradGuard()) {
                    for (int c = 0; c < n; c++) {
                        if (c % 3 != 1) continue;
                        zeroed.tensor(bn + ".weight").narrow(0, c, 1).zero_();
                        zeroed.tensor(bn + ".bias").narrow(0, c, 1).zero_();
                    }
                }
                double diff = ConvFixtures.maxAbsDiff(pruned.forward(x), zeroed.forward(x));
                assertTrue(diff < 1e-4, "pruned vs zeroed: " + diff);
                assertTrue(ConvFixtures.maxAbsDiff(net.forward(x), zeroed.forward(x)) > 1e-3, "zeroing changed the output");
            }
            int[] all = java.util.stream.IntStream.range(0, n).toArray();
            try (ConvNet same = Surgery.keep(net, unit, all)) {
                assertEquals(0.0, ConvFixtures.maxAbsDiff(net.forward(x), same.forward(x)), 1e-6);
            }
        }
    }

    @Test
    void loadingByNameFillsEveryTensorAndRejectsBadNames() {
        ConvSpec sp = ConvFixtures.tinyResNet();
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(sp, 9)) {
            Map<String, Tensor> st = new LinkedHashMap<>(net.state());
            try (ConvNet copy = ConvNet.fromState(sp, st)) {
                for (var e : net.state().entrySet()) assertTrue(e.getValue().equal(copy.tensor(e.getKey())), e.getKey());
                Tensor x = ConvFixtures.images(2, 32, 4);
                assertEquals(0.0, ConvFixtures.maxAbsDiff(net.forward(x), copy.forward(x)));
            }
            Map<String, Tensor> missing = new LinkedHashMap<>(st);
            missing.remove("layer2.1.bn1.running_var");
            var e1 = assertThrows(IllegalArgumentException.class, () -> ConvNet.fromState(sp, missing));
            assertTrue(e1.getMessage().contains("layer2.1.bn1.running_var"), e1.getMessage());
            Map<String, Tensor> extra = new LinkedHashMap<>(st);
            extra.put("layer2.1.bn3.weight", st.get("layer2.1.bn1.weight"));
            var e2 = assertThrows(IllegalArgumentException.class, () -> ConvNet.fromState(sp, extra));
            assertTrue(e2.getMessage().contains("layer2.1.bn3.weight"), e2.getMessage());
            Map<String, Tensor> wrong = new LinkedHashMap<>(st);
            wrong.put("fc.weight", torch.zeros(3, 3));
            var e3 = assertThrows(IllegalArgumentException.class, () -> ConvNet.fromState(sp, wrong));
            assertTrue(e3.getMessage().contains("fc.weight") && e3.getMessage().contains("[3, 3]"), e3.getMessage());
            Map<String, Tensor> nan = new LinkedHashMap<>(st);
            nan.put("layer1.0.conv1.weight", st.get("layer1.0.conv1.weight").mul(new Scalar(Double.NaN)));
            var e4 = assertThrows(IllegalArgumentException.class, () -> ConvNet.fromState(sp, nan));
            assertTrue(e4.getMessage().contains("layer1.0.conv1.weight"), e4.getMessage());
        }
    }

    @Test
    void layoutsNameRealBlocks() {
        ConvSpec r34 = ConvSpec.dense(Arch.RESNET34, false, 1000, 1.0);
        Layout ref = Layout.reference(r34);
        assertArrayEquals(new int[] {1, 4, 5, 8, 9, 10, 11}, ref.prunedUnits(), "layer1.1, layer2.1-2, layer3.1-4");
        assertEquals(25, ref.keep(r34, 1));
        assertEquals(102, ref.keep(r34, 8));
        Layout b = Layout.parse("blocks:layer1.1=0.5,layer4.2=0.25", r34, null);
        assertArrayEquals(new int[] {1, 15}, b.prunedUnits());
        var e = assertThrows(IllegalArgumentException.class, () -> Layout.parse("blocks:layer5.1=0.5", r34, null));
        assertTrue(e.getMessage().contains("layer5.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Layout.parse("every", r34, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Layout.parse("stages:0.4,0.4", r34, null));
        assertThrows(IllegalArgumentException.class, () -> Layout.parse("stages:0.4,0.4,0.4,1", ConvFixtures.tinyMobileNet(), null));
    }
}
