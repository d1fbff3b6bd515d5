package io.ispasp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ispasp.bench.AccuracyTable;
import io.ispasp.bench.PathTiming;
import io.ispasp.bench.latency.LatencyCommand;
import io.ispasp.bench.latency.RandomNetCommand;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ispasp bench}: the benchmarks behind bench/results/ (they write their results there). */
@Command(name = "bench", mixinStandardHelpOptions = true, modelTransformer = BenchCommand.PassOptionsOn.class,
        description = "Run a benchmark: paths (statistics vs direct vs auto vs GFS timing), accuracy (MNIST table, all "
                + "methods and ratios), conv-timing (ResNet34 block and reference layout at 64/224, statistics vs direct vs GFS), "
                + "latency (inference latency and throughput of models, dense vs pruned; its options: 'bench latency -- --help'), "
                + "random-net (a random conv-net checkpoint, dense or magnitude-pruned by a layout, for latency; "
                + "'bench random-net -- --help'), jmh (JMH micro-benchmarks; extra arguments go to JMH). Results go to bench/results/.")
final class BenchCommand implements Callable<Integer> {
    /** Options bench does not know (JMH's -f, latency's --model) stay in {@link #rest}, in order, for the benchmark. */
    static final class PassOptionsOn implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            spec.parser().unmatchedOptionsArePositionalParams(true);
            return spec;
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "paths, accuracy, conv-timing, latency, random-net or jmh")
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
            case "latency" -> {
                return nested(new LatencyCommand());
            }
            case "random-net" -> {
                return nested(new RandomNetCommand());
            }
            case "jmh" -> org.openjdk.jmh.Main.main(rest.toArray(new String[0]));
            default -> throw new IllegalArgumentException("unknown benchmark '" + which + "' (expected paths, accuracy, conv-timing, latency, random-net or jmh)");
        }
        return 0;
    }

    /** Runs a benchmark that parses its own options from {@link #rest}, reporting errors as every command does. */
    private int nested(Object command) {
        CommandLine parent = spec.commandLine();
        CommandLine cl = new CommandLine(command);
        cl.setOut(parent.getOut());
        cl.setErr(parent.getErr());
        cl.setParameterExceptionHandler(parent.getParameterExceptionHandler());
        cl.setExecutionExceptionHandler(parent.getExecutionExceptionHandler());
        return cl.execute(rest.toArray(new String[0]));
    }
}
