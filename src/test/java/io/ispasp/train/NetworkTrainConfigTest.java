package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.data.Augmentation;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import org.junit.jupiter.api.Test;

/** The defaults of every family are the ones the old trainers use; invalid values are rejected by name. */
class NetworkTrainConfigTest {
    @Test
    void mlpDefaultsAreTheOldTrainConfig() {
        NetworkTrainConfig c = NetworkTrainConfig.defaults(Mlp.relu(784, 128, 10));
        assertEquals(NetworkTrainConfig.mlp(), c);
        assertEquals(3, c.epochs());
        assertEquals(128, c.batchSize());
        assertEquals(0.05, c.lr());
        assertEquals(0.9, c.momentum());
        assertFalse(c.nesterov(), "the old MLP trainer uses classic momentum");
        assertEquals(0.0, c.weightDecay());
        assertFalse(c.decayVectors(), "the old MLP trainer exempts biases");
        assertEquals(0.0, c.labelSmoothing());
        assertEquals(Augmentation.NONE, c.augmentation());
        assertEquals(LrSchedule.COSINE, c.schedule());
        assertEquals(0L, c.seed());
        assertEquals(0L, c.maxSteps());
        assertEquals(NetworkTrainConfig.mlp(), NetworkTrainConfig.defaults(Architectures.parse("mlp sizes=10,5,2 activation=gelu batchnorm=true")));
    }

    @Test
    void imageDefaultsAreTheOldConvTrainConfig() {
        assertImageRecipe(5e-4, LrSchedule.COSINE, 90, NetworkTrainConfig.defaults(Architectures.parse("resnet18 form=cifar width=0.125 classes=10")));
        assertImageRecipe(5e-4, LrSchedule.COSINE, 90, NetworkTrainConfig.defaults(Architectures.parse("resnet34 form=imagenet classes=1000")));
        assertImageRecipe(4e-5, LrSchedule.COSINE, 90, NetworkTrainConfig.defaults(Architectures.parse("mobilenet_v2 form=cifar classes=10")));
        assertImageRecipe(4e-5, LrSchedule.CONSTANT, 1, NetworkTrainConfig.blockFineTune(Architectures.parse("mobilenet_v2 form=cifar classes=10")));
        assertEquals(4e-5, NetworkTrainConfig.defaults(Architectures.parse("mobilenet_v2 form=cifar classes=10")).weightDecay());
        assertEquals(5e-4, NetworkTrainConfig.defaults(Architectures.parse("resnet18 form=cifar classes=10")).weightDecay());
        NetworkTrainConfig vgg = NetworkTrainConfig.defaults(Architectures.parse("vgg16_bn form=cifar classes=10"));
        assertEquals(5e-4, vgg.weightDecay());
        assertEquals(NetworkTrainConfig.image(5e-4), vgg);
        assertEquals(LrSchedule.CONSTANT, NetworkTrainConfig.blockFineTune(Mlp.relu(4, 2)).schedule());
        assertEquals(1, NetworkTrainConfig.blockFineTune(Mlp.relu(4, 2)).epochs());
    }

    /** The recipe the conv trainer used before the families were unified (see docs/cli.md, section "train"). */
    private static void assertImageRecipe(double decay, LrSchedule schedule, int epochs, NetworkTrainConfig c) {
        assertEquals(epochs, c.epochs());
        assertEquals(256, c.batchSize());
        assertEquals(0.01, c.lr());
        assertEquals(0.9, c.momentum());
        assertTrue(c.nesterov());
        assertEquals(decay, c.weightDecay());
        assertFalse(c.decayVectors(), "the old conv trainer decays conv and linear weights only");
        assertEquals(0.1, c.labelSmoothing());
        assertEquals(Augmentation.STANDARD, c.augmentation());
        assertEquals(schedule, c.schedule());
    }

    @Test
    void rejectsInvalidValuesByName() {
        NetworkTrainConfig d = NetworkTrainConfig.mlp();
        assertEquals("epochs must be >= 1, got 0", assertThrows(IllegalArgumentException.class, () -> d.withEpochs(0)).getMessage());
        assertEquals("batch size must be >= 1, got 0", assertThrows(IllegalArgumentException.class, () -> d.withBatchSize(0)).getMessage());
        assertEquals("learning rate must be positive and finite, got 0.0", assertThrows(IllegalArgumentException.class, () -> d.withLr(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withLr(Double.NaN));
        assertEquals("momentum must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class, () -> d.withMomentum(1)).getMessage());
        assertEquals("Nesterov momentum needs momentum > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> d.withMomentum(0).withNesterov(true)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withWeightDecay(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withLabelSmoothing(1));
        assertThrows(IllegalArgumentException.class, () -> d.withAugmentation(null));
        assertThrows(IllegalArgumentException.class, () -> d.withSchedule(null));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSteps(-1));
        assertThrows(IllegalArgumentException.class, () -> NetworkTrainConfig.defaults(null));
        assertEquals(0.0, d.withMomentum(0).momentum(), "plain SGD is allowed");
    }
}
