package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

import io.ispasp.data.Augmentation;
import io.ispasp.model.conv.Arch;
import org.junit.jupiter.api.Test;

class ConvTrainConfigTest {
    @Test
    void defaultsAreTheAuthorsFineTuneSettings() {
        ConvTrainConfig c = ConvTrainConfig.defaults();
        assertEquals(90, c.epochs());
        assertEquals(256, c.batchSize());
        assertEquals(0.01, c.lr());
        assertEquals(0.9, c.momentum());
        assertTrue(c.nesterov());
        assertEquals(5e-4, c.weightDecay());
        assertEquals(0.1, c.labelSmoothing());
        assertEquals(Augmentation.STANDARD, c.augmentation());
        assertEquals(LrSchedule.COSINE, c.schedule());
        assertEquals(0L, c.maxSteps());
        assertEquals(4e-5, ConvTrainConfig.defaults(Arch.MOBILENETV2).weightDecay());
        assertEquals(5e-4, ConvTrainConfig.defaults(Arch.RESNET34).weightDecay());
        ConvTrainConfig block = ConvTrainConfig.blockFineTune(Arch.MOBILENETV2);
        assertEquals(1, block.epochs());
        assertEquals(LrSchedule.CONSTANT, block.schedule());
        assertEquals(0.01, block.lr());
        assertEquals(4e-5, block.weightDecay());
    }

    @Test
    void witherChangesOnlyItsField() {
        ConvTrainConfig c = ConvTrainConfig.defaults().withSeed(7).withMaxSteps(3).withAugmentation(Augmentation.NONE);
        assertEquals(new ConvTrainConfig(90, 256, 0.01, 0.9, true, 5e-4, 0.1, Augmentation.NONE, LrSchedule.COSINE, 7, 3), c);
    }

    @Test
    void rejectsBadValuesWithMessages() {
        ConvTrainConfig d = ConvTrainConfig.defaults();
        rejects(() -> d.withEpochs(0), "epochs must be >= 1, got 0");
        rejects(() -> d.withBatchSize(-2), "batch size must be >= 1, got -2");
        rejects(() -> d.withLr(0), "learning rate must be positive and finite, got 0.0");
        rejects(() -> d.withLr(Double.NaN), "learning rate must be positive and finite, got NaN");
        rejects(() -> d.withLr(Double.POSITIVE_INFINITY), "learning rate must be positive and finite, got Infinity");
        rejects(() -> d.withMomentum(1.0), "momentum must be in [0, 1), got 1.0");
        rejects(() -> d.withMomentum(-0.1), "momentum must be in [0, 1), got -0.1");
        rejects(() -> d.withMomentum(0), "Nesterov momentum needs momentum > 0, got 0");
        rejects(() -> d.withWeightDecay(-1e-4), "weight decay must be >= 0 and finite, got -1.0E-4");
        rejects(() -> d.withWeightDecay(Double.NaN), "weight decay must be >= 0 and finite, got NaN");
        rejects(() -> d.withLabelSmoothing(1.0), "label smoothing must be in [0, 1), got 1.0");
        rejects(() -> d.withLabelSmoothing(-0.1), "label smoothing must be in [0, 1), got -0.1");
        rejects(() -> d.withAugmentation(null), "augmentation must not be null (use Augmentation.NONE)");
        rejects(() -> d.withSchedule(null), "learning-rate schedule must not be null");
        rejects(() -> d.withMaxSteps(-1), "max steps must be >= 0 (0 = no limit), got -1");
        assertEquals(0.0, d.withNesterov(false).withMomentum(0).momentum()); // plain SGD is fine without Nesterov
    }

    @Test
    void schedulesGiveTheirRates() {
        assertEquals(0.1, LrSchedule.COSINE.rate(0.1, 0, 4), 1e-15);
        assertEquals(0.05, LrSchedule.COSINE.rate(0.1, 2, 4), 1e-15);
        assertEquals(0.05 * (1 + Math.cos(Math.PI * 3 / 4)), LrSchedule.COSINE.rate(0.1, 3, 4), 1e-15);
        assertEquals(0.01, LrSchedule.CONSTANT.rate(0.01, 3, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.COSINE.rate(0.1, 4, 4));
        assertEquals("step 4 outside [0, 4)", e.getMessage());
    }

    private static void rejects(Supplier<ConvTrainConfig> make, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertEquals(message, e.getMessage());
    }
}
