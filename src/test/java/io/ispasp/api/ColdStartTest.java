package io.ispasp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API initialises libtorch itself: {@link ColdStartService} (calibration arrays first, then a random MLP,
 * a job, run, save) in a fresh JVM whose JavaCPP cache directory is empty, so libtorch's natives (about 470 MB) are
 * unpacked during the run. Touching a pytorch class before they are unpacked crashes such a JVM. The suite's only
 * cold start: it takes 20-60 s.
 */
class ColdStartTest {
    @TempDir
    Path dir;

    @Test
    void aServiceThatBuildsItsDataFirstRunsOnAnEmptyNativeCache() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("javacpp-cache"));
        Path out = dir.resolve("pruned.ckpt");
        Path log = dir.resolve("out.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx1g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", System.getProperty("java.class.path"),
                ColdStartService.class.getName(), out.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly().waitFor();
        String text = Files.readString(log);
        assertTrue(done, "the cold start did not finish in 5 minutes:\n" + text);
        assertEquals(0, p.exitValue(), "exit code; output:\n" + text);
        assertTrue(text.contains("pruned ispasp units 1"), text);
        assertTrue(text.contains("hidden 8"), text);
        try (var files = Files.list(cache)) {
            assertTrue(files.findAny().isPresent(), "the natives were unpacked into the given cache directory");
        }
    }
}
