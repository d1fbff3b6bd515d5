package io.ispasp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ispasp.runtime.TorchRuntime;

/** Where a benchmark ran, for the results files. */
public final class Machine {
    private Machine() {}

    /** One line. */
    public static String describe() {
        return String.format("%s, %d cores visible to the JVM, libtorch %d threads, Java %s (%s), %s",
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), TorchRuntime.threads(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    /** The same facts one per key (and the CPU model where Linux tells it), for JSON results. */
    public static Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("omp_wait_policy", System.getenv("OMP_WAIT_POLICY"));
        m.put("glibc_tunables", System.getenv("GLIBC_TUNABLES")); // malloc settings change CPU inference times

        m.put("time", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or not readable: the other facts still stand
        }
    }
}
