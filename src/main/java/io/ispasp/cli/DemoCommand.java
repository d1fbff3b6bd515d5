package io.ispasp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Variant;
import io.ispasp.data.Dataset;
import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.io.OutputTransaction.Output;
import io.ispasp.job.DataCalibration;
import io.ispasp.job.JobProgress;
import io.ispasp.job.PruneJob;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Layout;
import io.ispasp.train.NetworkEvaluator;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ispasp demo}: the whole pipeline on MNIST with defaults. Trains (or reuses) a 784-1024-10 MLP, prunes it
 * with every method at a few kept ratios, and prints a table; the same goes to results.json and results.md.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fetch MNIST, train a 784-1024-10 MLP, prune it with i-SpaSP (the default, and --variant paper), GFS, "
                + "magnitude, activation mass and random at kept ratios 0.05, 0.1 and 0.2, and print a comparison table.")
final class DemoCommand implements Callable<Integer> {
    /** The rows of the demo: each method with defaults, plus i-SpaSP as the authors ran it. */
    private record Row(String label, Method method, Variant variant) {}

    private static final Row[] ROWS = {
        new Row("ispasp (default)", Method.ISPASP, Variant.BEST), new Row("ispasp --variant paper", Method.ISPASP, Variant.PAPER),
        new Row("gfs", Method.GFS, Variant.BEST), new Row("magnitude", Method.MAGNITUDE, Variant.BEST),
        new Row("activation", Method.ACTIVATION, Variant.BEST), new Row("random", Method.RANDOM, Variant.BEST)};

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Folder for the dense model, results.json and results.md (created). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--epochs", defaultValue = "2", description = "Training epochs of the dense model. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--quick", description = "A small run for smoke tests: 6000 training images, 1 epoch, ratio 0.1, 512 calibration images, 2000 test images.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        Files.createDirectories(out);
        Path json = out.resolve("results.json"), md = out.resolve("results.md");
        try (OutputTransaction outputs = OutputTransaction.of(new Output("results", json), new Output("results", md))) {
            return demo(outputs, json, md);
        }
    }

    private int demo(OutputTransaction outputs, Path json, Path md) throws Exception {
        TorchRuntime.init();
        DataOptions.Splits splits = data.raw(true, 0);
        Dataset train = quick ? ((Dataset) splits.train()).head(6000) : (Dataset) splits.train();
        Dataset test = quick ? ((Dataset) splits.test()).head(2000) : (Dataset) splits.test();
        int trainEpochs = quick ? 1 : epochs;
        double[] ratios = quick ? new double[] {0.1} : new double[] {0.05, 0.1, 0.2};
        int calibration = quick ? 512 : 2048;

        try (Network dense = denseModel(train, trainEpochs)) {
            double denseAccuracy = NetworkEvaluator.accuracy(dense, test, 1000);
            Progress.info(String.format("dense 784-1024-10: test accuracy %.4f", denseAccuracy));
            List<PruneReport> reports = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            int run = 0, runs = ROWS.length * ratios.length;
            for (double ratio : ratios) {
                for (Row v : ROWS) {
                    run++;
                    Progress.info(String.format("[%d/%d] %s, keep %.2f", run, runs, v.label(), ratio));
                    PruneOptions o = PruneOptions.builder().method(v.method()).variant(v.variant()).ratio(ratio).calibration(calibration).build();
                    PruneJob.Plan plan = new PruneJob.Plan(Layout.every(dense, ratio), null, ratio, 0, null, null,
                            test, true, denseAccuracy);
                    PruneJob.Result result = PruneJob.run(dense, DataCalibration.of(train, Math.min(calibration, train.size()), true), plan, o, JobProgress.NONE);
                    result.model().close();
                    PruneReport r = result.report();
                    Progress.info(String.format("[%d/%d] %s, keep %.2f: accuracy %.4f in %.2f s", run, runs, v.label(),
                            ratio, r.accuracy().after(), r.seconds().total()));
                    reports.add(r);
                    labels.add(v.label());
                }
            }
            String table = table(reports, labels, denseAccuracy, train.size(), test.size());
            spec.commandLine().getOut().print(table);
            spec.commandLine().getOut().flush();
            outputs.writeString(json, Json.toJson(reports) + "\n");
            outputs.writeString(md, "# ispasp demo\n\nCommand: `./ispasp demo" + (quick ? " --quick" : "")
                    + "`, " + ZonedDateTime.now() + ", device: " + PruneJob.device(PruneOptions.builder().build()) + "\n\n" + table);
            outputs.commit();
            Progress.info("wrote " + json + " and " + md);
        }
        return 0;
    }

    private Network denseModel(Dataset train, int trainEpochs) throws Exception {
        Path cached = out.resolve("dense-784-1024-10-e" + trainEpochs + (quick ? "-quick" : "") + ".ckpt");
        if (Files.isRegularFile(cached)) {
            Progress.info("reusing the dense model " + cached);
            return ModelFile.load(cached);
        }
        Network dense = Network.random(Mlp.relu(train.featureSize(), 1024, train.numClasses()), 0);
        Progress.info("training 784-1024-10 for " + trainEpochs + " epochs on " + train.size() + " images");
        new NetworkTrainer(NetworkTrainConfig.mlp().withEpochs(trainEpochs), Progress.training()).train(dense, train);
        ModelFile.save(dense, cached);
        return dense;
    }

    static String table(List<PruneReport> reports, List<String> labels, double denseAccuracy, int trainRows, int testRows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("Dense 784-1024-10: test accuracy %.2f%% (%d training, %d test images)%n%n", 100 * denseAccuracy, trainRows, testRows));
        b.append("| method | keep ratio | kept units | params | FLOPs (MACs) | test acc. (no fine-tune) | agreement with dense | pruning s |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < reports.size(); i++) {
            PruneReport r = reports.get(i);
            String kept = r.units().stream().map(u -> u.kept() + "/" + u.groups()).reduce((x, y) -> x + ", " + y).orElse("");
            b.append(String.format("| %s | %.2f | %s | %d | %d | %.2f%% | %.2f%% | %.2f |%n", labels.get(i), r.ratio(), kept,
                    r.params().after(), r.flops().after(), 100 * r.accuracy().after(), 100 * r.fidelity().agreement(), r.seconds().total()));
        }
        return b.toString();
    }
}
