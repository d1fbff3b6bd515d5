/**
 * Engine utilities on libtorch: tensor conversions, the reference Gram (BLAS SYRK) and cooperative cancellation.
 */
package io.ispasp.engine;
