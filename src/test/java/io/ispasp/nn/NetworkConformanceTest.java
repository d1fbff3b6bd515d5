package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.ispasp.engine.Tensors;
import io.ispasp.nn.arch.Architectures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every architecture must satisfy, on small random networks with random BN state: its text form reads back,
 * its forward has the right shape, the counted parameters are the tensors', keeping every group changes nothing,
 * pruning equals silencing the dropped groups in the dense network, and each unit's views (X, H, B's linear part,
 * the rest of the net from H) agree with the forward pass.
 */
class NetworkConformanceTest {
    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void describesItselfAndCountsItsParameters(Architecture arch) {
        Architecture back = Architectures.parse(arch.describe());
        assertEquals(arch, back);
        assertEquals(arch.describe(), back.describe());
        assertFalse(arch.blueprint().units().isEmpty(), "no units");
        try (Network net = Network.random(arch, 1); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor y = net.forward(NetFixtures.inputs(arch, 3, 2));
            assertEquals(3, y.size(0));
            assertEquals(arch.classes(), y.size(-1));   // logits, or an encoder's hidden state per token
            int side = arch.nativeInput() == 224 ? 64 : arch.nativeInput();
            assertEquals(net.params(), net.complexity(side).params());
            assertTrue(net.complexity(side).flops() > 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void keepingEveryGroupGivesTheDenseNetwork(Architecture arch) {
        try (Network dense = NetFixtures.randomized(arch, 3); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = NetFixtures.inputs(arch, 2, 4);
            Tensor expected = dense.forward(x);
            for (Unit u : dense.units()) {
                int[] all = new int[u.groups()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                try (Network same = Surgery.keep(dense, u.index(), all)) {
                    assertEquals(0.0, NetFixtures.relativeDiff(expected, same.forward(x)), u.name());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void pruningEqualsSilencingTheDroppedGroups(Architecture arch) {
        Random rnd = new Random(5);
        try (Network dense = NetFixtures.randomized(arch, 6); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Map<String, Tensor> silenced = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : dense.state().entrySet()) silenced.put(e.getKey(), e.getValue().clone());
            Network pruned = dense;
            for (Unit u : dense.units()) {
                int n = u.groups();
                List<Integer> kept = new ArrayList<>(), dropped = new ArrayList<>();
                for (int i = 0; i < n; i++) (rnd.nextDouble() < 0.5 || i == n - 1 && kept.isEmpty() ? kept : dropped).add(i);
                int[] k = kept.stream().mapToInt(Integer::intValue).toArray();
                Network next = Surgery.keep(pruned, u.index(), k);
                if (pruned != dense) pruned.close();
                pruned = next;
                assertEquals(k.length, pruned.unit(u.index()).groups(), u.name());
                if (dropped.isEmpty()) continue;
                // a dropped head is silenced by zeroing its value rows and bias (its context columns become 0)
                Tensor idx = Tensors.indices(u.spec().columnsOf(dropped.stream().mapToInt(Integer::intValue).toArray()));
                silenced.get(u.hidden() + ".weight").index_fill_(0, idx, new Scalar(0.0));
                Tensor bias = silenced.get(u.hidden() + ".bias");
                if (bias != null) bias.index_fill_(0, idx, new Scalar(0.0));
            }
            try (Network quiet = Network.fromState(arch, silenced)) {
                Tensor x = NetFixtures.inputs(arch, 3, 7);
                double diff = NetFixtures.relativeDiff(quiet.forward(x), pruned.forward(x));
                assertTrue(diff < 1e-5, "pruned vs silenced differ by " + diff);
                assertTrue(pruned.params() < dense.params());
                int side = arch.nativeInput() == 224 ? 64 : arch.nativeInput();
                assertEquals(pruned.params(), pruned.complexity(side).params());
                assertTrue(pruned.complexity(side).flops() < dense.complexity(side).flops());
            } finally {
                if (pruned != dense) pruned.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void unitViewsAgreeWithTheForwardPass(Architecture arch) {
        try (Network net = NetFixtures.randomized(arch, 8); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = NetFixtures.inputs(arch, 2, 9);
            Tensor logits = net.forward(x);
            for (Unit u : net.units()) {
                Tensor input = u.input(x);
                Tensor h = u.hidden(input);
                assertEquals((long) u.groups() * u.columns(), h.size(1), u.name());   // a head spans its columns of H
                if (u.activation() != null && u.activation().nonNegative()) assertTrue(h.min().item_double() >= 0, u.name() + ": H has negative values");
                assertTrue(NetFixtures.relativeDiff(logits, u.forwardFromHidden(input, h)) < 1e-6, u.name() + ": rest of the net from H");
                // B(h) = bLinear(h) + shift equals the program's own B (+ BN) ops on H
                Map<String, Tensor> env = new HashMap<>();
                env.put(u.spec().input(), input);
                int end = u.spec().bOp() + (u.spec().bNorm() == null ? 1 : 2);
                net.program().run(env, u.spec().start(), end, net.lookup(), false);
                Tensor b = env.get(net.program().op(end - 1).out());
                Tensor shift = u.bShift().reshape(u.convolutional() ? new long[] {1, -1, 1, 1} : new long[] {1, -1});
                assertTrue(NetFixtures.relativeDiff(b, u.bLinear(h).add(shift)) < 1e-5, u.name() + ": B's linear part and shift");
                assertEquals(u.outputs(), b.size(1));
                double[] norms = u.filterNorms();
                assertEquals(u.groups(), norms.length);
            }
        }
    }

    /** The carried dense pass: H, B's linear part and the next unit's X in one pass, bit for bit as one by one. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void onePassToTheNextUnitGivesTheUnitViewsBitForBit(Architecture arch) {
        try (Network net = NetFixtures.randomized(arch, 8); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = NetFixtures.inputs(arch, 3, 9);
            List<Unit> units = net.units();
            int passed = 0;
            for (int i = 0; i + 1 < units.size(); i++) {
                Unit u = units.get(i);
                for (Unit later : units.subList(i + 1, units.size())) {
                    if (!u.canPassTo(later.spec())) {
                        assertThrows(IllegalArgumentException.class, () -> u.passTo(later.spec(), u.input(x)));
                        continue;
                    }
                    Tensor input = u.input(x);
                    Unit.Pass pass = u.passTo(later.spec(), input);
                    Tensor h = u.hidden(input);
                    String what = u.name() + " to " + later.name();
                    assertTrue(pass.hidden().equal(h), what + ": H");
                    assertTrue(pass.bLinear().equal(u.bLinear(h)), what + ": B's linear part");
                    assertTrue(pass.later().equal(later.inputFrom(u.spec(), input)), what + ": X there");
                    passed++;
                }
            }
            assertTrue(units.size() < 2 || passed > 0, arch.name() + ": no unit passes to a later one");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void aStateOfTheWrongShapeIsNamed(Architecture arch) {
        try (Network net = Network.random(arch, 1); PointerScope scope = new PointerScope()) {
            Unit u = net.unit(0);
            Map<String, Tensor> state = new LinkedHashMap<>(net.state());
            String coupledB = u.bModule() + ".weight";
            state.put(coupledB, state.get(coupledB).narrow(1, 0, u.groups() - 1)); // B narrower than A
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, state));
            assertTrue(e.getMessage().contains(coupledB), e.getMessage());
            Map<String, Tensor> missing = new LinkedHashMap<>(net.state());
            missing.remove(u.hidden() + ".weight");
            e = assertThrows(IllegalArgumentException.class, () -> Network.fromState(arch, missing));
            assertTrue(e.getMessage().contains(u.hidden() + ".weight"), e.getMessage());
        }
    }
}
