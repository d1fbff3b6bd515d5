/**
 * Loading libtorch ({@code TorchRuntime.init()}: unpack the natives before first use) and the native heap.
 */
package io.ispasp.runtime;
