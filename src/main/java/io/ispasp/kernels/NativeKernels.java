package io.ispasp.kernels;

import io.ispasp.core.Score;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * {@link Kernels} over one backend's C API. Every temporary buffer lives in a PointerScope; the handles of
 * accumulators and units are freed by their close().
 */
final class NativeKernels implements Kernels {
    private final NativeApi api;

    NativeKernels(NativeApi api) {
        this.api = api;
    }

    @Override
    public String name() { return api.name(); }

    private int check(int rc, String what) {
        if (rc < 0) throw new KernelException(api.name() + " " + what + " failed (" + rc + "): " + api.lastError());
        return rc;
    }

    private Pointer checkHandle(Pointer p, String what) {
        if (p == null || p.isNull()) throw new KernelException(api.name() + " " + what + " failed: " + api.lastError());
        return p;
    }

    /** Score code of kernels.h. */
    static int scoreCode(Score score) {
        return switch (score) {
            case SIGNED_SUM -> 0;
            case GROUP_NORM -> 1;
            case CORRELATION -> 2;
        };
    }

    @Override
    public StatisticsAccumulator statistics(int groups, boolean fp64) {
        if (groups < 1) throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        return new Statistics(checkHandle(api.statsNew(groups, fp64 ? 1 : 0), "stats_new"), groups);
    }

    @Override
    public UnitKernel unit(UnitInputs in, Score score) {
        try (PointerScope scope = new PointerScope()) {
            Pointer u = api.unitNew(in.groups(), in.outputs(), new DoublePointer(in.gram()), new DoublePointer(in.mass()),
                    new DoublePointer(in.weight()), pointer(in.cross()), pointer(in.zsum()), pointer(in.szz()), in.zz(),
                    scoreCode(score));
            return new Unit(checkHandle(u, "unit_new"), in.groups(), in.outputs());
        }
    }

    private static DoublePointer pointer(double[] values) {
        return values == null ? null : new DoublePointer(values);
    }

    @Override
    public int[] topK(float[] values, int k) {
        checkK(values.length, k);
        try (PointerScope scope = new PointerScope()) {
            return topK(new FloatPointer(values), values.length, k);
        }
    }

    @Override
    public int[] topK(FloatPointer values, long n, int k) {
        checkK(n, k);
        try (PointerScope scope = new PointerScope()) {
            LongPointer out = new LongPointer(Math.max(1, k));
            check(api.topkF32(values, n, k, out), "topk_f32");
            return ints(out, k);
        }
    }

    @Override
    public int[] topK(double[] values, int k) {
        checkK(values.length, k);
        try (PointerScope scope = new PointerScope()) {
            LongPointer out = new LongPointer(Math.max(1, k));
            check(api.topkF64(new DoublePointer(values), values.length, k, out), "topk_f64");
            return ints(out, k);
        }
    }

    @Override
    public void bandSums(FloatPointer h, long images, int channels, int height, int width, double[] bands) {
        if (bands.length != channels * 25L)
            throw new IllegalArgumentException("bands has " + bands.length + " values, expected channels x 25 = " + channels * 25L);
        try (PointerScope scope = new PointerScope()) {
            DoublePointer out = new DoublePointer(bands);
            check(api.bandSums(h, images, channels, height, width, out), "band_sums");
            out.get(bands);
        }
    }

    private static void checkK(long n, int k) {
        if (k < 0 || k > n) throw new IllegalArgumentException("k must be in [0, " + n + "], got " + k);
    }

    /** The support in native memory; an empty one still gets a valid (unread) buffer. */
    private static IntPointer supportPointer(int[] support) {
        return new IntPointer(support.length == 0 ? new int[1] : support);
    }

    private static int[] ints(LongPointer p, int k) {
        long[] all = new long[k];
        p.get(all);   // one bulk copy: p.get(i) per element is a JNI call each
        int[] r = new int[k];
        for (int i = 0; i < k; i++) r[i] = (int) all[i];
        return r;
    }

    private final class Statistics implements StatisticsAccumulator {
        private final int groups;
        private Pointer handle;

        Statistics(Pointer handle, int groups) {
            this.handle = handle;
            this.groups = groups;
        }

        @Override
        public int groups() { return groups; }

        @Override
        public void add(FloatPointer batch, long rows) {
            check(api.statsAdd(open(), batch, rows), "stats_add");
        }

        @Override
        public long rows() { return api.statsRows(open()); }

        @Override
        public Result result() {
            try (PointerScope scope = new PointerScope()) {
                DoublePointer mass = new DoublePointer(groups);
                DoublePointer gram = new DoublePointer((long) groups * groups);
                check(api.statsGet(open(), mass, gram), "stats_get");
                double[] a = new double[groups];
                double[] g = new double[Math.multiplyExact(groups, groups)];
                mass.get(a);
                gram.get(g);
                return new Result(a, g);
            }
        }

        private Pointer open() {
            if (handle == null) throw new IllegalStateException("statistics accumulator is closed");
            return handle;
        }

        @Override
        public void close() {
            if (handle != null) api.statsFree(handle);
            handle = null;
        }
    }

    /** One call of a native loop into its support and trace buffers; the iterations run, or a negative error code. */
    @FunctionalInterface
    private interface NativeLoop {
        int run(IntPointer support, DoublePointer trace);
    }

    private final class Unit implements UnitKernel {
        private final int groups;
        private final int outputs;
        private Pointer handle;

        Unit(Pointer handle, int groups, int outputs) {
            this.handle = handle;
            this.groups = groups;
            this.outputs = outputs;
        }

        @Override
        public int groups() { return groups; }

        @Override
        public int outputs() { return outputs; }

        @Override
        public Evaluation evaluate(int[] support, boolean withScores) {
            try (PointerScope scope = new PointerScope()) {
                DoublePointer scores = withScores ? new DoublePointer(groups) : null;
                DoublePointer residual = new DoublePointer(1);
                check(api.unitEvaluate(open(), supportPointer(support), support.length,
                        scores, residual), "unit_evaluate");
                double[] g = null;
                if (withScores) {
                    g = new double[groups];
                    scores.get(g);
                }
                return new Evaluation(g, residual.get());
            }
        }

        @Override
        public double[] residuals(boolean[][] kept) {
            try (PointerScope scope = new PointerScope()) {
                BytePointer masks = new BytePointer(Math.max(1L, (long) kept.length * groups));
                for (int b = 0; b < kept.length; b++) {
                    if (kept[b].length != groups)
                        throw new IllegalArgumentException("mask " + b + " has " + kept[b].length + " entries, expected " + groups);
                    for (int i = 0; i < groups; i++) masks.put((long) b * groups + i, (byte) (kept[b][i] ? 1 : 0));
                }
                DoublePointer out = new DoublePointer(Math.max(1, kept.length));
                check(api.unitResiduals(open(), masks, kept.length, out), "unit_residuals");
                double[] r = new double[kept.length];
                out.get(r);
                return r;
            }
        }

        @Override
        public Run run(int keep, int iterations, boolean earlyStop) {
            return loop(keep, iterations, "unit_run",
                    (support, trace) -> api.unitRun(open(), keep, iterations, earlyStop ? 1 : 0, support, trace));
        }

        @Override
        public Run runGroups(int taps, double[] groupMass, double[] q, int keep, int iterations, boolean earlyStop) {
            int n = taps > 0 && groups % taps == 0 ? groups / taps : -1;
            if (n < 0 || groupMass.length != n || (q != null && q.length != (long) n * n)) {
                throw new IllegalArgumentException("loop over groups of " + taps + " taps of " + groups + " features: "
                        + groupMass.length + " group masses" + (q == null ? "" : ", q of " + q.length));
            }
            return loop(keep, iterations, "unit_run_groups", (support, trace) -> api.unitRunGroups(open(), taps,
                    new DoublePointer(groupMass), q == null ? null : new DoublePointer(q), keep, iterations, earlyStop ? 1 : 0,
                    support, trace));
        }

        /** A native loop's final support (keep entries) and its trace (one entry per iteration run). */
        private Run loop(int keep, int iterations, String what, NativeLoop call) {
            try (PointerScope scope = new PointerScope()) {
                IntPointer support = new IntPointer(Math.max(1, keep));
                DoublePointer trace = new DoublePointer(Math.max(1, iterations));
                int run = check(call.run(support, trace), what);
                int[] s = new int[keep];
                support.get(s);
                double[] t = new double[run];
                trace.get(t);
                return new Run(s, t);
            }
        }

        @Override
        public Kept kept(int[] support) {
            int s = support.length;
            try (PointerScope scope = new PointerScope()) {
                DoublePointer gram = new DoublePointer(Math.max(1L, (long) s * s));
                DoublePointer cross = new DoublePointer(Math.max(1L, (long) s * outputs));
                check(api.unitKept(open(), supportPointer(support), s, gram, cross), "unit_kept");
                double[] g = new double[s * s];
                double[] c = new double[s * outputs];
                gram.get(g);
                cross.get(c);
                return new Kept(g, c);
            }
        }

        private Pointer open() {
            if (handle == null) throw new IllegalStateException("unit is closed");
            return handle;
        }

        @Override
        public void close() {
            if (handle != null) api.unitFree(handle);
            handle = null;
        }
    }
}
