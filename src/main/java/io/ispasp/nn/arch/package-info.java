/**
 * The families of networks, one class each (ResNets with basic or bottleneck blocks, wide ResNets, MobileNetV2, VGG,
 * MLPs), and {@link io.ispasp.nn.arch.Architectures}, the registry that names, parses and recognises them.
 */
package io.ispasp.nn.arch;
