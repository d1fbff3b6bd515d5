package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ispasp.nn.arch.Architectures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** torchvision's names, shapes and units, and one-line errors for states that do not fit. */
class NetworkTest {
    @Test
    void torchvisionNamesAndShapes() {
        Map<String, long[]> r = Architectures.parse("resnet34").blueprint().shapes();
        assertArrayEquals(new long[] {256, 256, 3, 3}, r.get("layer3.4.conv1.weight"));
        assertArrayEquals(new long[] {128, 64, 1, 1}, r.get("layer2.0.downsample.0.weight"));
        assertArrayEquals(new long[] {1000, 512}, r.get("fc.weight"));
        assertEquals(218, r.size(), "torchvision resnet34 state_dict entries");
        Blueprint mb = Architectures.parse("mobilenet_v2").blueprint();
        Map<String, long[]> m = mb.shapes();
        assertArrayEquals(new long[] {192, 32, 1, 1}, m.get("features.6.conv.0.0.weight"));
        assertArrayEquals(new long[] {192, 1, 3, 3}, m.get("features.6.conv.1.0.weight"));
        assertArrayEquals(new long[] {32, 192, 1, 1}, m.get("features.6.conv.2.weight"));
        assertArrayEquals(new long[] {32, 1, 3, 3}, m.get("features.1.conv.0.0.weight"), "t=1 block: depthwise first");
        assertArrayEquals(new long[] {16, 32, 1, 1}, m.get("features.1.conv.1.weight"));
        assertArrayEquals(new long[] {1280, 320, 1, 1}, m.get("features.18.0.weight"));
        assertEquals(314, m.size(), "torchvision mobilenet_v2 state_dict entries");
        List<String> names = new ArrayList<>();
        for (UnitSpec u : mb.units()) names.add(u.name());
        assertEquals(List.of("features.2", "features.3", "features.4", "features.5", "features.6", "features.7",
                "features.8", "features.9", "features.10", "features.11", "features.12", "features.13", "features.14",
                "features.15", "features.16", "features.17"), names);
    }

    @Test
    void unitsOfTheNewFamiliesAndTheirHiddenModules() {
        List<UnitSpec> r50 = Architectures.parse("resnet50").blueprint().units();
        assertEquals(32, r50.size(), "two units per Bottleneck, 16 blocks");
        assertEquals("layer1.0.conv1", r50.get(0).name());
        assertEquals("layer1.0.bn1", r50.get(0).hidden());
        assertEquals("layer1.0.bn2", r50.get(1).hidden());
        List<UnitSpec> vgg = Architectures.parse("vgg16_bn").blueprint().units();
        List<String> names = new ArrayList<>();
        for (UnitSpec u : vgg) names.add(u.name());
        // conv -> conv pairs without a max-pool between them, then the classifier's two hidden layers
        assertEquals(List.of("features.0", "features.7", "features.14", "features.17", "features.24", "features.27",
                "features.34", "features.37", "classifier.0", "classifier.3"), names);
        assertEquals("features.1", vgg.get(0).hidden());
        assertEquals("features.6.conv.1.1", unit("mobilenet_v2", "features.6").hidden());
        assertEquals("1", unit("mlp sizes=4,8,8,2 flatten=true", "1").hidden());
        assertEquals("1", unit("mlp sizes=4,8,8,2 batchnorm=true", "0").hidden(), "the BatchNorm1d after Linear 0");
    }

    private static UnitSpec unit(String arch, String name) {
        for (UnitSpec u : Architectures.parse(arch).blueprint().units()) if (u.name().equals(name)) return u;
        throw new AssertionError("no unit " + name);
    }

    @Test
    void loadingByNameFillsEveryTensorAndRejectsBadNames() {
        Architecture arch = NetFixtures.all().get(0);
        try (PointerScope s = new PointerScope(); Network net = NetFixtures.randomized(arch, 9)) {
            Map<String, Tensor> st = new LinkedHashMap<>(net.state());
            try (Network copy = Network.fromState(arch, st)) {
                for (var e : net.state().entrySet()) assertTrue(e.getValue().equal(copy.tensor(e.getKey())), e.getKey());
                Tensor x = NetFixtures.inputs(arch, 2, 4);
                assertEquals(0.0, NetFixtures.relativeDiff(net.forward(x), copy.forward(x)));
            }
            Map<String, Tensor> missing = new LinkedHashMap<>(st);
            missing.remove("layer2.1.bn1.running_var");
            var e1 = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, missing));
            assertTrue(e1.getMessage().contains("layer2.1.bn1.running_var"), e1.getMessage());
            Map<String, Tensor> extra = new LinkedHashMap<>(st);
            extra.put("layer2.1.bn3.weight", st.get("layer2.1.bn1.weight"));
            var e2 = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, extra));
            assertTrue(e2.getMessage().contains("layer2.1.bn3.weight"), e2.getMessage());
            Map<String, Tensor> wrong = new LinkedHashMap<>(st);
            wrong.put("fc.weight", torch.zeros(3, 3));
            var e3 = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, wrong));
            assertTrue(e3.getMessage().contains("fc.weight") && e3.getMessage().contains("[3, 3]"), e3.getMessage());
            Map<String, Tensor> nan = new LinkedHashMap<>(st);
            nan.put("layer1.0.conv1.weight", st.get("layer1.0.conv1.weight").mul(new Scalar(Double.NaN)));
            var e4 = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, nan));
            assertTrue(e4.getMessage().contains("layer1.0.conv1.weight"), e4.getMessage());
        }
    }
}
