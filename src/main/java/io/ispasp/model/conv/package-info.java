/**
 * Conv nets (ResNet18/34, MobileNetV2) with torchvision's names: specs, the net, FLOPs and parameter counts,
 * layouts, surgery and checkpoints.
 */
package io.ispasp.model.conv;
