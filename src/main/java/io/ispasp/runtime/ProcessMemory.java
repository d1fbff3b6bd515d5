package io.ispasp.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory as the kernel counts it (Linux's /proc/self/status). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** The peak resident set size of this process so far (VmHWM) in bytes, or -1 where the system does not say. */
    public static long peakRss() { return field("VmHWM:"); }

    /**
     * Resets the peak to the present RSS (Linux: writing 5 to /proc/self/clear_refs), so a benchmark can give each
     * part its own peak; false where the system does not allow it.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return -1;
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(name)) return Long.parseLong(line.substring(name.length()).replace("kB", "").strip()) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
