/**
 * Reading a {@link io.ispasp.nn.Network} from any file format the engine knows (checkpoint or TorchScript, told apart
 * by content) and writing it (the format follows the name).
 */
package io.ispasp.modelfile;
