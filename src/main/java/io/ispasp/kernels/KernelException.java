package io.ispasp.kernels;

/** A native kernel reported an error (bad argument, out of memory, CUDA failure); the message says which. */
public final class KernelException extends RuntimeException {
    public KernelException(String message) {
        super(message);
    }
}
