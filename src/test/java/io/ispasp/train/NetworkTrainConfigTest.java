package io.ispasp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ispasp.data.Augmentation;
import io.ispasp.model.conv.Arch;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import org.junit.jupiter.api.Test;

/** The defaults of every family are the ones the old trainers use; invalid values are rejected by name. */
class NetworkTrainConfigTest {
    @Test
    void mlpDefaultsAreTheOldTrainConfig() {
        TrainConfig old = TrainConfig.defaults();
        NetworkTrainConfig c = NetworkTrainConfig.defaults(Mlp.relu(784, 128, 10));
        assertEquals(NetworkTrainConfig.mlp(), c);
        assertEquals(old.epochs(), c.epochs());
        assertEquals(old.batchSize(), c.batchSize());
        assertEquals(old.lr(), c.lr());
        assertEquals(old.momentum(), c.momentum());
        assertFalse(c.nesterov(), "the old MLP trainer uses classic momentum");
        assertEquals(old.weightDecay(), c.weightDecay());
        assertFalse(c.decayVectors(), "the old MLP trainer exempts biases");
        assertEquals(0.0, c.labelSmoothing());
        assertEquals(Augmentation.NONE, c.augmentation());
        assertEquals(LrSchedule.COSINE, c.schedule());
        assertEquals(old.seed(), c.seed());
        assertEquals(0L, c.maxSteps());
        assertEquals(NetworkTrainConfig.mlp(), NetworkTrainConfig.defaults(Architectures.parse("mlp sizes=10,5,2 activation=gelu batchnorm=true")));
    }

    @Test
    void imageDefaultsAreTheOldConvTrainConfig() {
        assertSame(ConvTrainConfig.defaults(Arch.RESNET18), NetworkTrainConfig.defaults(Architectures.parse("resnet18 form=cifar width=0.125 classes=10")));
        assertSame(ConvTrainConfig.defaults(Arch.RESNET34), NetworkTrainConfig.defaults(Architectures.parse("resnet34 form=imagenet classes=1000")));
        assertSame(ConvTrainConfig.defaults(Arch.MOBILENETV2), NetworkTrainConfig.defaults(Architectures.parse("mobilenet_v2 form=cifar classes=10")));
        assertSame(ConvTrainConfig.blockFineTune(Arch.MOBILENETV2), NetworkTrainConfig.blockFineTune(Architectures.parse("mobilenet_v2 form=cifar classes=10")));
        assertEquals(4e-5, NetworkTrainConfig.defaults(Architectures.parse("mobilenet_v2 form=cifar classes=10")).weightDecay());
        assertEquals(5e-4, NetworkTrainConfig.defaults(Architectures.parse("resnet18 form=cifar classes=10")).weightDecay());
        NetworkTrainConfig vgg = NetworkTrainConfig.defaults(Architectures.parse("vgg16_bn form=cifar classes=10"));
        assertEquals(5e-4, vgg.weightDecay());
        assertEquals(NetworkTrainConfig.image(5e-4), vgg);
        assertEquals(LrSchedule.CONSTANT, NetworkTrainConfig.blockFineTune(Mlp.relu(4, 2)).schedule());
        assertEquals(1, NetworkTrainConfig.blockFineTune(Mlp.relu(4, 2)).epochs());
    }

    private static void assertSame(ConvTrainConfig old, NetworkTrainConfig c) {
        assertEquals(old.epochs(), c.epochs());
        assertEquals(old.batchSize(), c.batchSize());
        assertEquals(old.lr(), c.lr());
        assertEquals(old.momentum(), c.momentum());
        assertEquals(old.nesterov(), c.nesterov());
        assertEquals(old.weightDecay(), c.weightDecay());
        assertFalse(c.decayVectors(), "the old conv trainer decays conv and linear weights only");
        assertEquals(old.labelSmoothing(), c.labelSmoothing());
        assertEquals(old.augmentation(), c.augmentation());
        assertEquals(old.schedule(), c.schedule());
        assertEquals(old.seed(), c.seed());
        assertEquals(old.maxSteps(), c.maxSteps());
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
