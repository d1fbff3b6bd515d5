/**
 * Engine utilities on libtorch: tensor conversions, the one way to run a convolution ({@link
 * io.ispasp.engine.Convolution}, which works around libtorch's faulty oneDNN convolution; docs/platform.md), the
 * CPU statistics accumulator ({@link io.ispasp.engine.Gram}, OpenBLAS SYRK), the 3x3 patch rows of the statistics
 * path ({@link io.ispasp.engine.PatchRows}) and cooperative cancellation.
 */
package io.ispasp.engine;
