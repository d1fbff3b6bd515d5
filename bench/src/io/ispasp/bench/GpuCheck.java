package io.ispasp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.ispasp.core.Score;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.CudaGate;
import io.ispasp.kernels.Kernels;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.kernels.UnitKernel;
import io.ispasp.kernels.cpu.CpuLib;
import io.ispasp.prune.TopK;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The Java side of bench/gpu-check.sh, for a GPU machine without libtorch: every CUDA kernel through the same JNI
 * path the engine uses, against the C++ CPU twin and the float64 raw-data answers ({@link RawUnit}), then the
 * end-to-end timing of one N = 4096 unit (statistics over 60k rows, set-up, T = 20 loop) on the GPU and on the
 * CPU twin with 2 threads. Needs only javacpp and this project's jar.
 * <pre>
 *   java -cp ispasp.jar:javacpp.jar:javacpp-linux-x86_64.jar:slf4j-api.jar:slf4j-simple.jar io.ispasp.bench.GpuCheck
 *        [--out FILE.md] [--require-gpu] [--against cpu]   (--against cpu checks this program itself on the CPU)
 * </pre>
 * Exit 0: all checks passed (or no GPU and not required, printed as SKIP); 1: a check failed or a GPU was required.
 */
public final class GpuCheck {
    private final Kernels cpu = Backends.cpu();
    private final Kernels dev;
    private final List<String> rows = new ArrayList<>();
    private boolean ok = true;

    private GpuCheck(Kernels dev) {
        this.dev = dev;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("gpu-check-java.md");
        boolean requireGpu = false;
        String against = "cuda";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--require-gpu" -> requireGpu = true;
                case "--against" -> against = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Kernels dev = against.equals("cpu") ? Backends.cpu() : Backends.cudaOrNull();
        if (dev == null) {
            System.out.println("SKIP: " + CudaGate.status());
            System.exit(requireGpu ? 1 : 0);
        }
        GpuCheck check = new GpuCheck(dev);
        check.run();
        String device = against.equals("cpu") ? "cpu (harness self-check)" : CudaGate.status();
        String md = "# GPU check (Java, through JNI)\n\nDevice: " + device + "\n\nCommand: `bench/gpu-check.sh run` "
                + "(`java ... io.ispasp.bench.GpuCheck`). Errors are max |x - ref| / max |ref| against float64 answers "
                + "from the raw data (group-norm compared squared); `same` = identical index sets to the C++ CPU twin.\n\n"
                + "| check | shape | rel err vs fp64 | same as CPU twin | time | notes |\n|---|---|---|---|---|---|\n"
                + String.join("\n", check.rows) + "\n\nResult: " + (check.ok ? "PASS" : "FAIL") + "\n";
        Files.writeString(out, md);
        System.out.print(md);
        System.exit(check.ok ? 0 : 1);
    }

    private void row(String check, String shape, double err, double bar, Boolean same, String time, String notes) {
        boolean pass = (Double.isNaN(err) || err <= bar) && (same == null || same);
        ok &= pass;
        rows.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s%s |", check, shape,
                Double.isNaN(err) ? "-" : String.format(Locale.ROOT, "%.2e", err), same == null ? "-" : same ? "yes" : "NO",
                time, notes, pass ? "" : " **FAIL**"));
    }

    private void run() {
        statistics();
        units();
        topK();
        bandSums();
        timing();
    }

    private void bandSums() {
        SplittableRandom r = new SplittableRandom(6);
        for (int[] shape : new int[][] {{3, 5, 4, 4}, {16, 64, 32, 32}, {8, 128, 56, 56}}) {
            int images = shape[0], channels = shape[1], height = shape[2], width = shape[3];
            float[] h = new float[images * channels * height * width];
            for (int i = 0; i < h.length; i++) h[i] = (float) Math.max(0, r.nextGaussian());
            double[] a = new double[channels * 25], b = new double[channels * 25];
            try (PointerScope scope = new PointerScope()) {
                FloatPointer p = new FloatPointer(h);
                dev.bandSums(p, images, channels, height, width, a);
                cpu.bandSums(p, images, channels, height, width, b);
            }
            row("3x3 band sums", images + " x " + channels + " x " + height + " x " + width, rel(b, a), 1e-9, null, "-", "vs CPU twin (float64 sums)");
        }
    }

    private void statistics() {
        for (int[] shape : new int[][] {{1, 1}, {33, 257}, {130, 4200}, {1000, 3000}}) {
            int n = shape[0], r = shape[1];
            RawUnit u = new RawUnit(r, n, 1, false, n + r, 0);
            double[] gram = u.gram(), mass = u.mass();
            StatisticsAccumulator.Result d = stats(dev, u.h, n, r), c = stats(cpu, u.h, n, r);
            row("statistics Gamma", n + " x " + r + " rows", rel(gram, d.gram()), 1e-4, null, "-",
                    String.format(Locale.ROOT, "CPU twin err %.1e; mass err %.1e", rel(gram, c.gram()), rel(mass, d.mass())));
        }
    }

    private void units() {
        for (int[] shape : new int[][] {{7, 3, 40}, {33, 10, 257}, {130, 37, 300}, {513, 20, 700}}) {
            for (Score score : Score.values()) {
                for (boolean original : new boolean[] {false, true}) {
                    int n = shape[0], out = shape[1], r = shape[2];
                    RawUnit raw = new RawUnit(r, n, out, original, n * 7L + out, 3);
                    double[] gram = raw.gram(), mass = raw.mass();
                    String shapeText = "n=" + n + " out=" + out + " " + score + (original ? " original" : " current");
                    try (UnitKernel d = dev.unit(raw.inputs(gram, mass), score); UnitKernel c = cpu.unit(raw.inputs(gram, mass), score)) {
                        SplittableRandom rnd = new SplittableRandom(n);
                        double worst = 0, worstRes = 0;
                        double[] none = new double[1];
                        double scale = RawUnit.maxAbs(raw.scores(new int[0], score, none));
                        boolean[][] masks = new boolean[4][n];
                        double[] refRes = new double[4];
                        for (int t = 0; t < 4; t++) {
                            int[] s = RawUnit.randomSupport(rnd, n, t == 0 ? 0 : 1 + rnd.nextInt(n));
                            double[] res = new double[1];
                            double[] ref = raw.scores(s, score, res);
                            UnitKernel.Evaluation e = d.evaluate(s, true);
                            double[] got = score == Score.GROUP_NORM ? RawUnit.squares(e.scores()) : e.scores();
                            worst = Math.max(worst, diff(ref, got) / Math.max(scale, 1e-300));
                            worstRes = Math.max(worstRes, Math.abs(res[0] - e.residual()) / Math.max(1, none[0]));
                            for (int i : s) masks[t][i] = true;
                            refRes[t] = res[0];
                        }
                        row("unit evaluate", shapeText, Math.max(worst, worstRes), 1e-9, null, "-", "exact float64 statistics in");
                        row("batched residuals", shapeText + ", 4 masks", diff(refRes, d.residuals(masks)) / Math.max(1, none[0]), 1e-9, null, "-", "");
                        int keep = Math.max(1, n / 5);
                        UnitKernel.Run a = d.run(keep, 20, false), b = c.run(keep, 20, false);
                        row("fused loop T=20", shapeText + ", keep " + keep, diff(b.trace(), a.trace()) / Math.max(1, none[0]), 1e-9,
                                Arrays.equals(a.support(), b.support()), "-", "trace vs CPU twin");
                        int taps = n % 3 == 0 ? 3 : 1, groups = n / taps;   // the loop over groups (a 3x3 unit's channels)
                        double[] gmass = new double[groups];
                        for (int i = 0; i < n; i++) gmass[i / taps] += mass[i];
                        double[] q = score == Score.SIGNED_SUM ? rnd.doubles((long) groups * groups, -1, 1).toArray() : null;
                        UnitKernel.Run ga = d.runGroups(taps, gmass, q, Math.max(1, groups / 3), 20, false),
                                gb = c.runGroups(taps, gmass, q, Math.max(1, groups / 3), 20, false);
                        row("fused loop over groups T=20", shapeText + ", taps " + taps + (q != null ? ", Q scores" : ""),
                                diff(gb.trace(), ga.trace()) / Math.max(1, none[0]), 1e-9, Arrays.equals(ga.support(), gb.support()), "-",
                                "trace vs CPU twin");
                    }
                }
            }
        }
    }

    private void topK() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 1000, 100_000, 1_000_000}) {
            float[] x = new float[n];
            double[] xd = new double[n];
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(40);
                x[i] = kind == 0 ? Float.NaN : kind == 1 ? -0.0f : kind < 10 ? (float) Math.floor(r.nextGaussian() * 3) : (float) r.nextGaussian();
                xd[i] = x[i];
            }
            for (int k : new int[] {0, 1, n / 2, n}) {
                int[] a = dev.topK(x, k), b = cpu.topK(x, k);
                boolean same = Arrays.equals(a, b) && Arrays.equals(dev.topK(xd, k), b);
                if (n <= 100_000) same &= Arrays.equals(TopK.indices(xd, k), b);
                row("top-k f32/f64", "n=" + n + " k=" + k, Double.NaN, 0, same, "-", "ties, NaN, -0.0");
            }
        }
    }

    private void timing() {
        int n = 4096, batch = 4096, total = 60_000, out = 64, keep = n / 10;
        RawUnit template = new RawUnit(batch, n, out, false, 99, 0);
        float[] x = new float[1_000_000];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        CpuLib.ispasp_cpu_set_threads(2);
        for (Score score : new Score[] {Score.SIGNED_SUM, Score.GROUP_NORM}) {
            double[] d = pipeline(dev, template, n, out, batch, total, keep, score);
            double[] c = pipeline(cpu, template, n, out, batch, total, keep, score);
            String shape = "n=" + n + ", " + total + " rows, out=" + out + ", keep " + keep + ", " + score;
            row("statistics pass", shape, Double.NaN, 0, null, ms(d[0]), String.format(Locale.ROOT, "CPU twin (2 threads) %s, %.1fx", ms(c[0]), c[0] / d[0]));
            row("unit set-up", shape, Double.NaN, 0, null, ms(d[1]), String.format(Locale.ROOT, "CPU twin %s, %.1fx", ms(c[1]), c[1] / d[1]));
            row("fused loop T=20", shape, Double.NaN, 0, null, ms(d[2]), String.format(Locale.ROOT, "CPU twin %s, %.1fx", ms(c[2]), c[2] / d[2]));
            double sd = d[0] + d[1] + d[2], sc = c[0] + c[1] + c[2];
            row("statistics + loop, one unit", shape, Double.NaN, 0, null, ms(sd), String.format(Locale.ROOT, "CPU twin %s: **%.1fx** (bar: 20x)", ms(sc), sc / sd));
        }
        double[] t = new double[9];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            dev.topK(x, 1000);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        row("top-k", "1M floats, k=1000", Double.NaN, 0, null, ms(t[t.length / 2]), "median of 9, host round trip included");
        CpuLib.ispasp_cpu_set_threads(0);
    }

    /** Seconds for: statistics pass over `total` rows, unit set-up, T = 20 loop. */
    private static double[] pipeline(Kernels k, RawUnit template, int n, int out, int batch, int total, int keep, Score score) {
        double[] s = new double[3];
        StatisticsAccumulator.Result stats;
        try (StatisticsAccumulator acc = k.statistics(n, true); PointerScope scope = new PointerScope()) {
            FloatPointer h = new FloatPointer(template.h);
            acc.add(h, 256);   // warm-up
            long t0 = System.nanoTime();
            for (int done = 0; done < total; done += batch) acc.add(h, Math.min(batch, total - done));
            stats = acc.result();
            s[0] = (System.nanoTime() - t0) / 1e9;
        }
        long t1 = System.nanoTime();
        try (UnitKernel u = k.unit(template.inputs(stats.gram(), stats.mass()), score)) {
            s[1] = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            u.run(keep, 20, false);
            s[2] = (System.nanoTime() - t2) / 1e9;
        }
        return s;
    }

    private static StatisticsAccumulator.Result stats(Kernels k, float[] h, int n, int rows) {
        try (StatisticsAccumulator acc = k.statistics(n, true); PointerScope scope = new PointerScope()) {
            acc.add(new FloatPointer(h), rows);
            return acc.result();
        }
    }

    private static String ms(double seconds) {
        return seconds < 1e-3 ? String.format(Locale.ROOT, "%.0f us", seconds * 1e6) : String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
    }

    private static double diff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static double rel(double[] ref, double[] got) {
        return diff(ref, got) / Math.max(1e-300, RawUnit.maxAbs(ref));
    }
}
