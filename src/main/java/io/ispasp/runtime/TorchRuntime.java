package io.ispasp.runtime;

import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single entry to native libtorch. Every entry point and test calls {@link #init()} before touching any
 * {@code org.bytedeco.pytorch} class: with a cold {@code ~/.javacpp/cache}, loading libtorch lazily crashes the
 * JVM (docs/platform.md, section "Cold native cache"), so the whole native directories are unpacked first, in one
 * go. The public entry points that can make a tensor (the {@code io.ispasp.api} classes, {@code Network.random} and
 * {@code fromState}, {@code ModelFile}, {@code NetworkCheckpoint} and {@code NetworkTorchScript}, the CLI commands)
 * call it themselves; code that makes its own libtorch tensors before any of them calls it first.
 */
public final class TorchRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(TorchRuntime.class);
    private static volatile boolean ready;

    private TorchRuntime() {}

    /** Unpacks and loads libtorch once and sets the thread count of libtorch and of the C++ kernels (env ISPASP_THREADS, else all cores). */
    public static void init() {
        if (!ready) load();
    }

    private static synchronized void load() {
        if (ready) return;
        // Transparent huge pages for libtorch's large CPU tensors, read by libtorch at its first allocation: 2 MB pages
        // cut the page faults of a forward's fresh activations ~10x and made a ResNet34 forward at 224 px 2.3x faster
        // (docs/platform.md, "Huge pages"). A value the user set (0 turns it off) is kept.
        io.ispasp.kernels.cpu.CpuLib.ispasp_cpu_setenv_default("THP_MEM_ALLOC_ENABLE", "1");
        // OpenMP threads that sleep when idle instead of spinning, read by libgomp when libtorch loads it: libtorch's
        // OpenMP threads otherwise spin between its small ops and take the cores from OpenBLAS's GEMMs (the 3x3 patch
        // statistics ran 3x slower; docs/platform.md, "OpenMP spin-waiting"). The launcher sets it too; embedders need
        // not. A value the user set is kept.
        io.ispasp.kernels.cpu.CpuLib.ispasp_cpu_setenv_default("OMP_WAIT_POLICY", "PASSIVE");
        try {
            String platform = Loader.getPlatform();
            Loader.cacheResources("/org/bytedeco/javacpp/" + platform + "/");
            Loader.cacheResources("/org/bytedeco/openblas/" + platform + "/");
            Loader.cacheResources("/org/bytedeco/pytorch/" + platform + "/");
            Loader.load(org.bytedeco.pytorch.global.torch.class);
        } catch (Exception e) {
            throw new IllegalStateException("cannot load libtorch natives: " + e.getMessage(), e);
        }
        int threads = threadsFromEnv();
        org.bytedeco.pytorch.global.torch.set_num_threads(threads);
        io.ispasp.kernels.cpu.CpuLib.ispasp_cpu_set_threads(threads);
        ready = true;
        LOG.debug("libtorch loaded, {} intra-op threads", threads);
    }

    /** Threads libtorch uses for one op. */
    public static int threads() {
        init();
        return org.bytedeco.pytorch.global.torch.get_num_threads();
    }

    /** Changes the thread count of libtorch's ops and of the C++ CPU kernels (process wide). */
    public static void setThreads(int n) {
        init();
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        org.bytedeco.pytorch.global.torch.set_num_threads(n);
        io.ispasp.kernels.cpu.CpuLib.ispasp_cpu_set_threads(n);
    }

    private static int threadsFromEnv() {
        String v = System.getenv("ISPASP_THREADS");
        if (v != null && !v.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                LOG.warn("ignoring ISPASP_THREADS={} (not an integer)", v);
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
