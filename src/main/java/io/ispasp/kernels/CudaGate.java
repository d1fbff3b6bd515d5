package io.ispasp.kernels;

import io.ispasp.kernels.cuda.CudaLib;
import org.bytedeco.javacpp.Loader;

/**
 * Decides once per process whether the CUDA kernels can run, and why not. Nothing here throws: a build without
 * nvcc (no library), a machine without driver or GPU, or a GPU older than sm_80 all end as a reason string.
 */
public final class CudaGate {
    private static final String STATUS;
    private static final boolean AVAILABLE;

    static {
        String status;
        boolean ok = false;
        try {
            Loader.load(CudaLib.class);
            int count = CudaLib.ispasp_cuda_device_count();
            if (count > 0) {
                byte[] name = new byte[256];
                CudaLib.ispasp_cuda_device_name(name, name.length);
                status = new String(name, 0, length(name), java.nio.charset.StandardCharsets.UTF_8);
                ok = true;
            } else if (count == 0) {
                status = "no CUDA device with compute capability 8.0 or newer";
            } else {
                String e = CudaLib.ispasp_cuda_last_error().getString();
                status = e.isBlank() ? "CUDA error " + (-count) : e;
            }
        } catch (Throwable t) {
            status = "CUDA library not loadable (built without nvcc?): " + t;
        }
        STATUS = status;
        AVAILABLE = ok;
    }

    private CudaGate() {}

    private static int length(byte[] s) {
        int n = 0;
        while (n < s.length && s[n] != 0) n++;
        return n;
    }

    /** Whether the CUDA kernels can be used. */
    public static boolean available() { return AVAILABLE; }

    /** The device description when available, else the reason it is not. */
    public static String status() { return STATUS; }
}
