package io.ispasp.prune;

/**
 * An oracle on the native kernels that can also run the authors' loop (activation-mass threshold, last iterate)
 * whole in one native call, with the same answers as {@link IspaspSelector#run} on that oracle: no host round trip
 * per iteration on the GPU, no JNI call per iteration on the CPU.
 */
interface FusedLoop {
    IspaspSelector.Loop run(int keep, int iterations, boolean earlyStop);

    /** A native loop's outcome as the selector's: the last iterate, no candidate sets recorded. */
    static IspaspSelector.Loop of(io.ispasp.kernels.UnitKernel.Run r) {
        return new IspaspSelector.Loop(r.support(), r.trace(), r.trace().length, java.util.List.of());
    }
}
