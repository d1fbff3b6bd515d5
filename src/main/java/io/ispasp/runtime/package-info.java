/**
 * Loading libtorch ({@code TorchRuntime.init()}: unpack the natives before first use, huge pages for its large
 * tensors), the native heap, the process's resident memory, and TorchScript serialised into native memory.
 */
package io.ispasp.runtime;
