package io.ispasp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of this build in a fresh JVM, so that a crash, a signal or an exit cannot take the tests down. */
final class ChildJvm {
    private ChildJvm() {}

    /** The command line of a JVM running {@code main} with {@code args}. */
    static List<String> command(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Single-quoted for sh. */
    static String quoted(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) b.append(b.length() == 0 ? "" : " ").append('\'').append(w.replace("'", "'\\''")).append('\'');
        return b.toString();
    }

    /** What a finished child printed. */
    record Result(int code, String out, String err) {
        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith("error:")).toList();
        }
    }

    /** Runs {@code cmd} to its end (at most 5 minutes), stdout and stderr to files under {@code dir}. */
    static Result run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "child", ".out"), err = Files.createTempFile(dir, "child", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish in 5 minutes: " + cmd + "\n" + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** Whether this process may make a private mount namespace (root with util-linux's unshare), else why not. */
    static String whyNoMountNamespace() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare did not finish";
            }
            return p.exitValue() == 0 ? null : "cannot mount a tmpfs in a private mount namespace (needs root): " + text.strip();
        } catch (IOException | InterruptedException e) {
            return "unshare is not available: " + e.getMessage();
        }
    }
}
