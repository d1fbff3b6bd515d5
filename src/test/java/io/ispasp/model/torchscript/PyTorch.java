package io.ispasp.model.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The real PyTorch of this machine, driven through {@code examples/python/torchscript_tool.py}. Python is
 * {@code $ISPASP_PYTHON}, else Debian's {@code /usr/bin/python3} (where apt's python3-torch lives), else
 * {@code python3}. Tests that need it skip, naming the reason, when no Python with torch and torchvision is
 * found, unless {@code ISPASP_REQUIRE_PYTORCH=1} (set by .ci/run, which installs it), where they fail instead.
 */
public final class PyTorch {
    private static final Path TOOL = Path.of("examples/python/torchscript_tool.py").toAbsolutePath();
    private static String python;
    private static String absence;

    private PyTorch() {}

    /** Skips (or, when required, fails) the calling test when PyTorch is missing. */
    public static synchronized void require() {
        if (python == null && absence == null) find();
        if (python != null) return;
        if ("1".equals(System.getenv("ISPASP_REQUIRE_PYTORCH"))) fail("PyTorch is required (ISPASP_REQUIRE_PYTORCH=1) but " + absence);
        Assumptions.assumeTrue(false, "skipped: " + absence + " (apt install python3-torch python3-torchvision)");
    }

    private static void find() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("ISPASP_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        StringBuilder why = new StringBuilder();
        for (String c : candidates) {
            try {
                Result r = exec(List.of(c, "-c", "import torch, torchvision"), 120);
                if (r.code == 0) {
                    python = c;
                    return;
                }
                why.append(c).append(": cannot import torch and torchvision; ");
            } catch (IOException e) {
                why.append(c).append(": not found; ");
            }
        }
        absence = why.toString().replaceAll("; $", "");
    }

    /** {@code torchscript_tool.py make ARCH --out FILE [extra...]}. */
    public static void make(String arch, Path out, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python, TOOL.toString(), "make", arch, "--out", out.toString()));
        cmd.addAll(Arrays.asList(extra));
        check(exec(cmd, 300), "make " + arch);
    }

    /** Runs {@code model} in Python on {@code input} of {@code shape}; returns the JSON line and the outputs. */
    public static Output run(Path model, float[] input, long[] shape, Path work) throws IOException {
        Path x = work.resolve("x.f32"), y = work.resolve("y.f32");
        writeFloats(x, input);
        String s = String.join(",", Arrays.stream(shape).mapToObj(Long::toString).toList());
        Result r = exec(List.of(python, TOOL.toString(), "run", model.toString(), "--input", x.toString(), "--shape", s,
                "--output", y.toString()), 300);
        check(r, "run " + model);
        String[] lines = r.out.strip().split("\n");
        return new Output(lines[lines.length - 1], readFloats(y));
    }

    public record Output(String json, float[] values) {}

    /** Runs {@code code} with {@code python -c} (after {@link #require()}) and returns what it printed. */
    public static String script(String code) throws IOException {
        require();
        Result r = exec(List.of(python, "-c", code), 600);
        check(r, "script");
        return r.out;
    }

    private record Result(int code, String out) {}

    private static void check(Result r, String what) {
        assertEquals(0, r.code, "python " + what + " failed:\n" + r.out);
    }

    private static Result exec(List<String> cmd, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "2");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public static void writeFloats(Path file, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Files.write(file, b.array());
    }

    public static float[] readFloats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}
