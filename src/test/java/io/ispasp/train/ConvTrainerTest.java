package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ispasp.data.Augmentation;
import io.ispasp.data.ImageDataset;
import io.ispasp.engine.Tensors;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConvTrainerTest {
    /** Quick-run settings: Nesterov SGD, label smoothing 0.1, standard augmentation, cosine schedule. */
    private static final ConvTrainConfig QUICK = ConvTrainConfig.defaults().withEpochs(6).withBatchSize(16).withLr(0.05).withSeed(3);

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void learnsColouredSquaresAndLowersTheLoss() {
        ImageDataset data = ImageFixtures.squares(64, 32, 1);
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyResNet(), 2)) {
            ConvEvaluator.Result before = ConvEvaluator.evaluate(net, data, 64);
            List<Long> steps = new ArrayList<>();
            ConvTrainer trainer = new ConvTrainer(QUICK, (epoch, step, total, running) -> steps.add(step));
            double[] epochLoss = trainer.train(net, data);
            ConvEvaluator.Result after = ConvEvaluator.evaluate(net, data, 64);
            assertEquals(6, epochLoss.length);
            assertTrue(epochLoss[5] < 0.7 * epochLoss[0], "epoch losses should fall: " + Arrays.toString(epochLoss));
            assertTrue(after.loss() < before.loss(), "eval loss " + before.loss() + " -> " + after.loss());
            assertTrue(after.accuracy() >= 0.75, "accuracy " + after.accuracy() + " (chance 0.25), before " + before.accuracy());
            assertEquals(24, steps.size());
            assertEquals(24L, trainer.totalSteps(64));
            assertEquals(24L, steps.get(23));
            assertClean(net);
        }
    }

    private static void assertClean(ConvNet net) {
        try (PointerScope s = new PointerScope()) {
            for (String name : net.parameterNames()) {
                Tensor p = net.tensor(name);
                assertFalse(p.requires_grad(), name + " still requires grad");
                assertFalse(p.grad().defined(), name + " still holds a gradient");
            }
        }
    }
}
