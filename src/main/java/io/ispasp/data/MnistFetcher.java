package io.ispasp.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the MNIST idx files are on disk, downloading them with {@code datasets/fetch-mnist.sh} when not.
 * The script is found under the directory named by system property {@code ispasp.home}, else under the
 * current working directory.
 */
public final class MnistFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(MnistFetcher.class);
    /** Script location relative to the project home. */
    static final String SCRIPT = "datasets/fetch-mnist.sh";

    private MnistFetcher() {}

    /**
     * Returns {@code dir} once it holds the four MNIST files (each plain or {@code .gz}); runs the fetch
     * script first when any is missing.
     *
     * @throws IOException when the script cannot be found or run, fails, or leaves files missing
     */
    public static Path ensure(Path dir) throws IOException {
        if (Mnist.present(dir, true) && Mnist.present(dir, false)) return dir;
        Path script = script();
        LOG.info("MNIST not found in {}; fetching with {}", dir, script);
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), dir.toAbsolutePath().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        int rc;
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            // The script's stdout is its progress; route it through the logger.
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) LOG.info("fetch-mnist: {}", line);
            }
            rc = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching MNIST into " + dir, e);
        }
        if (rc != 0) throw new IOException(script + " failed with exit code " + rc + " while fetching MNIST into " + dir);
        if (!(Mnist.present(dir, true) && Mnist.present(dir, false))) {
            throw new IOException(script + " succeeded but MNIST files are still missing in " + dir);
        }
        LOG.info("MNIST ready in {}", dir);
        return dir;
    }

    /** The project folder: system property {@code ispasp.home} (set by the launcher), else the working directory. */
    public static Path home() {
        String home = System.getProperty("ispasp.home");
        return home != null && !home.isBlank() ? Paths.get(home) : Paths.get("").toAbsolutePath();
    }

    /** Where MNIST lives unless a folder is given: {@code datasets/mnist} under {@link #home()}. */
    public static Path defaultDir() {
        return home().resolve("datasets/mnist");
    }

    /** The fetch script under {@link #home()}. */
    static Path script() throws IOException {
        Path script = home().resolve(SCRIPT);
        if (!Files.isRegularFile(script)) {
            throw new IOException("MNIST fetch script not found: " + script
                    + " (run from the project root or set -Dispasp.home=<project root>)");
        }
        return script;
    }
}
