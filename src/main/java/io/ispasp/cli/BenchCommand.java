package io.ispasp.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ispasp bench}: the benchmarks behind bench/results/ (they write their results there). The benchmarks are not
 * part of the product jar: they are compiled from bench/src into target/bench-classes, which the {@code ispasp}
 * launcher puts on the classpath, and are found here by name.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, modelTransformer = BenchCommand.PassOptionsOn.class,
        description = "Run a benchmark: paths (statistics vs direct vs auto vs GFS timing), accuracy (MNIST table, all "
                + "methods and ratios), conv-timing (ResNet34 block and reference layout at 64/224, statistics vs direct vs GFS), "
                + "latency (inference latency and throughput of models, dense vs pruned; its options: 'bench latency -- --help'), "
                + "patch-stats (a 3x3 unit's statistics pass: patch rows vs shifted products), fused-loop (the authors' loop on "
                + "3x3 units: Java vs one native call), photos (a folder of photos decoded before the prune vs while it runs), random-net (a random conv-net checkpoint, dense or magnitude-pruned by a "
                + "layout, for latency; "
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

    @Parameters(index = "0", description = "paths, accuracy, conv-timing, whole-net, network, patch-stats, fused-loop, photos, latency, random-net or jmh")
    String which;

    @Parameters(index = "1..*", arity = "0..*", description = "Arguments for the benchmark (jmh: JMH options).")
    List<String> rest = new ArrayList<>();

    @Option(names = "--runs", defaultValue = "5", description = "paths: timed runs per i-SpaSP measurement (median). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Override
    public Integer call() throws Exception {
        String[] args = rest.toArray(new String[0]);
        String main = switch (which) {
            case "paths" -> {
                args = new String[] {Integer.toString(runs)};
                yield "io.ispasp.bench.PathTiming";
            }
            case "accuracy" -> {
                args = new String[0];
                yield "io.ispasp.bench.AccuracyTable";
            }
            case "conv-timing" -> "io.ispasp.bench.ConvTiming";
            case "whole-net" -> "io.ispasp.bench.WholeNetTiming";
            case "network" -> "io.ispasp.bench.NetworkTiming";
            case "patch-stats" -> "io.ispasp.bench.PatchStatisticsTiming";
            case "fused-loop" -> "io.ispasp.bench.FusedLoopTiming";
            case "photos" -> "io.ispasp.bench.PhotoTiming";
            case "latency", "random-net" -> null;
            case "jmh" -> "org.openjdk.jmh.Main";
            default -> throw new IllegalArgumentException("unknown benchmark '" + which + "' (expected paths, accuracy, conv-timing, whole-net, network, patch-stats, fused-loop, photos, latency, random-net or jmh)");
        };
        if (which.equals("jmh")) benchClass("io.ispasp.bench.GramBench");   // JMH finds nothing without them
        TorchRuntime.init();
        if (main == null) {
            String command = which.equals("latency") ? "io.ispasp.bench.latency.LatencyCommand" : "io.ispasp.bench.latency.RandomNetCommand";
            return nested(benchClass(command).getDeclaredConstructor().newInstance());
        }
        Method m = benchClass(main).getMethod("main", String[].class);
        try {
            m.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception x) throw x;
            if (e.getCause() instanceof Error x) throw x;
            throw e;
        }
        return 0;
    }

    /** A benchmark class by name, or a clear error when the benchmarks (target/bench-classes, jmh-core) are not on the classpath. */
    static Class<?> benchClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("the benchmarks are not on the classpath (" + name + " not found): 'ispasp bench' needs "
                    + "target/bench-classes and jmh-core, which the ispasp launcher adds after 'mvn compile'", e);
        }
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
