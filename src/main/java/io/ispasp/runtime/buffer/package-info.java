/**
 * JNI bindings (JavaCPP) of a C++ output stream into memory (native/runtime), which libtorch's TorchScript writer
 * fills instead of a file.
 */
package io.ispasp.runtime.buffer;
