package io.ispasp.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.ispasp.runtime.TorchRuntime;

/** One line describing where a benchmark ran, for the results files. */
final class Machine {
    private Machine() {}

    static String describe() {
        return String.format("%s, %d cores visible to the JVM, libtorch %d threads, Java %s (%s), %s",
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), TorchRuntime.threads(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }
}
