package io.ispasp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ispasp.bench.AccuracyTable;
import io.ispasp.bench.PathTiming;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ispasp bench}: the benchmarks behind bench/results/ (they write their results there). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark: paths (statistics vs direct vs auto vs GFS timing), accuracy (MNIST table, all "
                + "methods and ratios), conv-timing (ResNet34 block and reference layout at 64/224, statistics vs direct vs GFS), jmh (JMH micro-benchmarks; extra arguments go to JMH). Results go to bench/results/.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "paths, accuracy or jmh")
    String which;

    @Parameters(index = "1..*", arity = "0..*", description = "Arguments for the benchmark (jmh: JMH options).")
    List<String> rest = new ArrayList<>();

    @Option(names = "--runs", defaultValue = "5", description = "paths: timed runs per i-SpaSP measurement (median). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        switch (which) {
            case "paths" -> PathTiming.main(new String[] {Integer.toString(runs)});
            case "accuracy" -> AccuracyTable.main(new String[0]);
            case "conv-timing" -> io.ispasp.bench.ConvTiming.main(rest.toArray(new String[0]));
            case "jmh" -> org.openjdk.jmh.Main.main(rest.toArray(new String[0]));
            default -> throw new IllegalArgumentException("unknown benchmark '" + which + "' (expected paths, accuracy, conv-timing or jmh)");
        }
        return 0;
    }
}
