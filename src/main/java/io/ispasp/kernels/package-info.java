/**
 * The native kernels behind the statistics path: the {@code Kernels} interface, the C++ and CUDA backends, and the
 * {@code --device} selection.
 */
package io.ispasp.kernels;
