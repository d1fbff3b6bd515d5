/**
 * JNI bindings (JavaCPP) of the C++ CPU kernels; their native library is built from native/cpu.
 */
package io.ispasp.kernels.cpu;
