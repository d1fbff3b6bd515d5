/**
 * The file formats of a {@link io.ispasp.nn.Network}: the engine's own versioned checkpoint
 * ({@link io.ispasp.nn.file.NetworkCheckpoint}, which also reads the two legacy checkpoint formats) and TorchScript
 * archives that PyTorch opens ({@link io.ispasp.nn.file.NetworkTorchScript}, which also recognises torchvision models
 * and {@code nn.Sequential} MLPs scripted in Python).
 */
package io.ispasp.nn.file;
