/**
 * Reading and writing a model in any format the engine knows (engine checkpoints, TorchScript), chosen by content
 * or name; above {@code model}, {@code model.conv} and {@code model.torchscript}.
 */
package io.ispasp.modelfile;
