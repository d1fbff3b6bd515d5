package io.ispasp.nn;

import java.util.Random;

/**
 * One family of networks in one configuration (depth, form, width, classes): everything about its dense shape, its
 * forward and its units. Adding a family is one implementation under {@code io.ispasp.nn.arch} and its entry in
 * {@code io.ispasp.nn.arch.Architectures}.
 */
public interface Architecture {
    /** The model's name as torchvision spells it ({@code resnet50}, {@code vgg16_bn}, {@code mobilenet_v2}) or {@code mlp}. */
    String name();

    /** A one-line text that {@code Architectures.parse} reads back into an equal architecture. */
    String describe();

    /** Program, dense shapes and units; computed once. */
    Blueprint blueprint();

    /** Output classes. */
    int classes();

    /** The same architecture with another number of output classes. */
    Architecture withClasses(int classes);

    /** Shape of one input sample at image side {@code size}: {@code [3, size, size]}, or {@code [features]} for an MLP. */
    long[] inputShape(int size);

    /** The image side this form is made for (32 for CIFAR forms, 224 for ImageNet forms, 0 for an MLP). */
    int nativeInput();

    /** Per unit, the fraction kept by the authors' reference layout (1 = dense), or null when they give none. */
    double[] referenceRatios();

    /** A seeded random initial value for tensor {@code name} of dense shape {@code shape} (torchvision's scheme). */
    float[] initial(String name, long[] shape, Random rnd);
}
