/**
 * Engine utilities on libtorch: tensor conversions, the one way to run a convolution ({@link
 * io.ispasp.engine.Convolution}, which works around libtorch's faulty oneDNN convolution; docs/platform.md), the
 * reference Gram (BLAS SYRK) and cooperative cancellation.
 */
package io.ispasp.engine;
