package io.ispasp.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import io.ispasp.nn.arch.Architectures;
import io.ispasp.runtime.NativeHeap;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A forward inside a PointerScope holds only the activations still to be read, not every activation of the pass
 * (each would otherwise live until the scope closes): on ResNet18 the native heap in use right after the forward,
 * scope still open, stays a small part of the sum of all activations; the logits are those of the same program run
 * without a scope (every tensor kept), and a prefix run leaves the registers a later op reads.
 */
class ForwardMemoryTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void aForwardHoldsTheLiveActivationsOnly() {
        try (Network net = Network.random(Architectures.image("resnet18", true, 1.0, 10), 1); NoGradGuard g = new NoGradGuard()) {
            int batch = 32;
            long[] sample = {3, 64, 64};
            Program p = net.program();
            long all = 0;
            for (int i = 0; i < p.size(); i++) {
                long n = Float.BYTES * (long) batch;
                for (long d : Complexity.registerShape(p, net.shapes(), sample, i + 1, p.op(i).out())) n *= d;
                all += n;
            }
            Tensor x;
            try (PointerScope keep = new PointerScope()) {
                torch.manual_seed(5);
                x = torch.randn(batch, 3, 64, 64);
                x.retainReference();
            }
            float[] expected;
            try (PointerScope s = new PointerScope()) {
                long before = NativeHeap.inUse();
                Tensor y = net.forward(x);
                long held = NativeHeap.inUse() - before;
                assertTrue(held < all / 4, "held " + held + " bytes after the forward; all activations: " + all);
                expected = io.ispasp.engine.Tensors.floats(y);
            }
            // the same ops with every register kept (no scope to free into): the same logits
            Map<String, Tensor> env = new HashMap<>();
            env.put(Program.INPUT, x);
            float[] kept = runWithoutScope(p, env, net);
            assertEquals(expected.length, kept.length);
            for (int i = 0; i < kept.length; i++) assertEquals(kept[i], expected[i], 0f, "logit " + i);
            x.releaseReference();
        }
    }

    @Test
    void aPrefixRunLeavesWhatLaterOpsRead() {
        try (Network net = Network.random(Architectures.image("resnet18", true, 1.0, 10), 1);
             PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Unit u = net.unit(3);
            Tensor x = torch.randn(4, 3, 32, 32);
            Tensor in = u.input(x);
            Tensor h = u.hidden(in);
            assertEquals(u.groups(), h.size(1));
            Tensor logits = u.forwardFromHidden(in, h);
            Tensor direct = net.forward(x);
            assertTrue(logits.allclose(direct, 1e-5, 1e-6, false), "the forward through a unit's registers equals the plain forward");
        }
    }

    private static float[] runWithoutScope(Program p, Map<String, Tensor> env, Network net) {
        float[][] out = new float[1][];
        // a thread with no PointerScope open: Program keeps every register, as before it freed any
        Thread worker = new Thread(() -> {
            try (NoGradGuard g = new NoGradGuard()) {
                p.run(env, 0, p.size(), net.lookup(), false);
                out[0] = io.ispasp.engine.Tensors.floats(env.get(p.output()));
            }
        });
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return out[0];
    }
}
