package io.ispasp.kernels;

import java.util.EnumMap;
import java.util.Map;

import io.ispasp.core.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves {@code --device} to a backend, and logs the choice and its reason once per device value. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static final Map<Device, Choice> CHOSEN = new EnumMap<>(Device.class);

    private Backends() {}

    /** The backend and why it was chosen. */
    public record Choice(Kernels kernels, String reason) {}

    /** The C++ CPU kernels (always present in the jar). */
    public static Kernels cpu() {
        return Holder.CPU;
    }

    /** The CUDA kernels, or null when {@link CudaGate} says they cannot run. */
    public static Kernels cudaOrNull() {
        return CudaGate.available() ? Holder.cuda() : null;
    }

    /** The backend for {@code device}; {@link IllegalStateException} with the reason when cuda is asked for and not usable. */
    public static synchronized Choice select(Device device) {
        Choice c = CHOSEN.get(device);
        if (c != null) return c;
        c = switch (device) {
            case CPU -> new Choice(cpu(), "CPU kernels requested");
            case AUTO -> CudaGate.available()
                    ? new Choice(Holder.cuda(), "CUDA: " + CudaGate.status())
                    : new Choice(cpu(), "CUDA: " + CudaGate.status() + ", using CPU");
            case CUDA -> {
                // an explicit request is honoured or refused: CPU figures under a "cuda" label would mislead
                if (!CudaGate.available()) {
                    throw new IllegalStateException("device cuda was requested, but no GPU is usable: " + CudaGate.status()
                            + " (device auto falls back to the CPU kernels)");
                }
                yield new Choice(Holder.cuda(), "CUDA: " + CudaGate.status());
            }
        };
        LOG.info("device {}: {}", device, c.reason());
        CHOSEN.put(device, c);
        return c;
    }

    private static final class Holder {
        static final Kernels CPU = new NativeKernels(new CpuApi());
        private static Kernels cuda;

        static synchronized Kernels cuda() {
            if (cuda == null) cuda = new NativeKernels(new CudaApi());
            return cuda;
        }
    }
}
