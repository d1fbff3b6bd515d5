package io.ispasp.runtime;

import io.ispasp.kernels.cpu.CpuLib;

/**
 * The process's native heap as glibc counts it: bytes malloc has handed out and not taken back, over all arenas.
 * libtorch's CPU tensors live there, so a run that releases everything returns to its starting figure (the JVM's
 * own allocations move it by a few MB). Unlike RSS it does not depend on whether freed pages went back to the OS.
 */
public final class NativeHeap {
    private NativeHeap() {}

    /** Bytes in use, or -1 where the C library cannot tell. */
    public static long inUse() {
        TorchRuntime.init();
        return CpuLib.ispasp_cpu_heap_in_use();
    }
}
