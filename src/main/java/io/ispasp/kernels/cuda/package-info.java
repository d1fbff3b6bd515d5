/**
 * JNI bindings (JavaCPP) of the CUDA kernels; their native library is built from native/cuda where nvcc exists.
 */
package io.ispasp.kernels.cuda;
