package io.ispasp.bench.latency;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import io.ispasp.bench.Machine;
import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.runtime.TorchRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp bench latency}: inference latency and throughput of several models at several batch sizes (see
 * {@link LatencyRunner} for how it times), printed as a table and written to {@code DIR/latency.json} and
 * {@code DIR/latency.png}. Every input is checked and every model opened before anything runs or is written. ONNX
 * text encoders ({@code .onnx}) run through ONNX Runtime at every batch size and sequence length of {@code --seq}.
 */
@Command(name = "ispasp bench latency", description = "Inference latency (median, p90, p99) and throughput per model and batch size (and sequence length for ONNX "
                + "text encoders); the first model is "
                + "the reference of the speed-ups. Prints a table; writes DIR/latency.json and DIR/latency.png.")
public final class LatencyCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LatencyCommand.class);
    /** A label before '=' in --model: no path separators, so a path holding '=' is not mistaken for one. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_.+-]+");
    /** Largest batch accepted: far beyond what fits in memory for any real model; keeps counts in int. */
    static final int MAX_BATCH = 1 << 20;
    static final String DEFAULT_SEQ = "32,128";

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit (through bench: 'bench latency -- --help').")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "[LABEL=]FILE",
            description = "A model to time (repeat): an engine checkpoint of any architecture, a TorchScript file, or a "
                    + "BERT-family text encoder in ONNX (*.onnx, run by ONNX Runtime; not mixed with the others). The label "
                    + "defaults to the file name without its extension.")
    List<String> models = new ArrayList<>();

    @Option(names = "--batch", paramLabel = "N,N,...", defaultValue = "1,8,64", description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    String batch;

    @Option(names = "--seq", paramLabel = "N,N,...", description = "Sequence lengths (tokens) for ONNX text encoders. Default: "
            + DEFAULT_SEQ + ".")
    String seq;

    @Option(names = "--threads", paramLabel = "N", description = "Intra-op threads of libtorch, and of ONNX Runtime for ONNX models. "
            + "Default: the current libtorch setting (ISPASP_THREADS or all cores); ONNX Runtime's own default (one per physical core).")
    Integer threads;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "1", description = "Warm-up per model and batch size (at least 2 runs). Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3", description = "Minimum timed seconds per model and batch size. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--min-runs", paramLabel = "N", defaultValue = "10", description = "Minimum timed runs per model and batch size. Default: ${DEFAULT-VALUE}.")
    int minRuns;

    @Option(names = "--shape", paramLabel = "C,H,W", description = "Shape of one input sample: needed for TorchScript "
            + "(default 3,224,224) of an architecture the engine does not know; for an image model 3,S,S overrides its default "
            + "(32 CIFAR form, 224 ImageNet form); for an MLP it must be its input size.")
    String shape;

    @Override
    public Integer call() throws Exception {
        int[] batches = parseBatches(batch);
        int[] seqs = parseSizes("--seq", seq == null ? DEFAULT_SEQ : seq, "32,128");
        long[] sampleShape = shape == null ? null : parseShape(shape);
        LatencyRunner.Settings settings = new LatencyRunner.Settings(warmupSeconds, seconds, minRuns);
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
        List<String[]> named = labelled(models);

        TorchRuntime.init();
        List<LatencyModel> opened = new ArrayList<>();
        int before = TorchRuntime.threads();
        try {
            for (String[] m : named) opened.add(LatencyModels.open(m[0], Path.of(m[1]), sampleShape, threads));
            boolean text = checkEncoders(opened, named, seqs);
            int n = threads != null ? threads : before;
            TorchRuntime.setThreads(n);
            if (text) {
                LOG.info("timing {} text encoder(s) at batch sizes {} and sequence lengths {} in ONNX Runtime, {}", opened.size(), batch,
                        LatencyModels.text(Arrays.stream(seqs).asLongStream().toArray()), threads != null ? threads + " thread(s)" : "its default threads");
            } else {
                LOG.info("timing {} model(s) at batch sizes {}, {} thread(s)", opened.size(), batch, n);
            }
            List<LatencyRunner.Measurement> measured = new LatencyRunner(settings).run(opened, batches, seqs);
            List<String> files = named.stream().map(m -> m[1]).toList();
            Integer onnxThreads = text ? (threads != null ? threads : 0) : null;
            LatencyReport report = LatencyReport.of(Machine.facts(), n, onnxThreads, settings, batches, seqs, opened, files, measured);
            // both files are made in memory first, so a failure leaves neither half-written
            byte[] json = (Json.toJson(report) + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] png = LatencyChart.png(report, LatencyChart.WIDTH, LatencyChart.HEIGHT);
            Files.createDirectories(out);
            try (OutputTransaction outputs = OutputTransaction.of(new OutputTransaction.Output("--out", out.resolve("latency.json")),
                    new OutputTransaction.Output("--out", out.resolve("latency.png")))) {
                outputs.write(out.resolve("latency.json"), o -> o.write(json));
                outputs.write(out.resolve("latency.png"), o -> o.write(png));
                outputs.commit();
            }
            spec.commandLine().getOut().print(LatencyTable.format(report));
            spec.commandLine().getOut().flush();
            LOG.info("wrote {} and {}", out.resolve("latency.json"), out.resolve("latency.png"));
        } finally {
            for (LatencyModel m : opened) m.close();
            TorchRuntime.setThreads(before); // the setting is process-wide
        }
        return 0;
    }

    /** "1,8,64" as positive batch sizes. */
    static int[] parseBatches(String text) {
        return parseSizes("--batch", text, "1,8,64");
    }

    /** A comma-separated list of distinct sizes in [1, MAX_BATCH] for {@code option}; {@code example} goes into the message. */
    static int[] parseSizes(String option, String text, String example) {
        String[] parts = text.split(",", -1);
        int[] b = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            try {
                b[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + p + "' is not a whole number (expected e.g. " + example + ")");
            }
            String what = option.equals("--batch") ? "a batch size" : "a size";
            if (b[i] < 1 || b[i] > MAX_BATCH) throw new IllegalArgumentException(option + ": " + b[i] + " is not " + what + " in [1, " + MAX_BATCH + "]");
        }
        Set<Integer> seen = new HashSet<>();
        for (int v : b) if (!seen.add(v)) throw new IllegalArgumentException(option + ": " + v + " appears twice");
        return b;
    }

    /**
     * Whether the models are text encoders, timed at sequence lengths: then all must be, and every length must fit
     * each one's position embeddings; --seq without a text encoder is refused.
     */
    private boolean checkEncoders(List<LatencyModel> opened, List<String[]> named, int[] seqs) {
        int encoder = -1, other = -1;
        for (int i = 0; i < opened.size(); i++) {
            if (opened.get(i) instanceof EncoderLatencyModel) encoder = i;
            else other = i;
        }
        if (encoder < 0) {
            if (seq != null) throw new IllegalArgumentException("--seq applies to ONNX text encoders only; " + named.get(0)[1] + " is not one");
            return false;
        }
        if (other >= 0) {
            throw new IllegalArgumentException("--model: " + named.get(encoder)[1] + " is an ONNX text encoder and " + named.get(other)[1]
                    + " is not; time them in separate runs");
        }
        for (int i = 0; i < opened.size(); i++) {
            int max = ((EncoderLatencyModel) opened.get(i)).maxSequence();
            for (int s : seqs) {
                if (s > max) throw new IllegalArgumentException("--seq " + s + ": " + named.get(i)[1] + " takes at most " + max + " tokens");
            }
        }
        return true;
    }

    /** "3,224,224" as a sample shape of positive sizes. */
    static long[] parseShape(String text) {
        String[] parts = text.split(",", -1);
        long[] s = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                s[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape: '" + parts[i].trim() + "' is not a whole number (expected e.g. 3,224,224)");
            }
            if (s[i] < 1 || s[i] > MAX_BATCH) throw new IllegalArgumentException("--shape: size " + s[i] + " outside [1, " + MAX_BATCH + "]");
        }
        return s;
    }

    /** Each --model as {label, file}; labels must differ. */
    static List<String[]> labelled(List<String> models) {
        List<String[]> out = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            String[] lf = eq > 0 && LABEL.matcher(m.substring(0, eq)).matches()
                    ? new String[] {m.substring(0, eq), m.substring(eq + 1)}
                    : new String[] {LatencyModels.defaultLabel(Path.of(m)), m};
            if (lf[1].isBlank()) throw new IllegalArgumentException("--model " + m + ": no file after the label");
            if (!labels.add(lf[0])) throw new IllegalArgumentException("--model: label '" + lf[0] + "' appears twice (give LABEL=FILE)");
            out.add(lf);
        }
        return out;
    }
}
