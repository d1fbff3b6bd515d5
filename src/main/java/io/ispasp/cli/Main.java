package io.ispasp.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ispasp} command line. Results go to stdout, progress and logs to stderr. Every failure is one line
 * {@code error: ...} with exit code 2 (bad usage or values) or 1 (a failure while running, such as a corrupt file).
 */
@Command(name = "ispasp", mixinStandardHelpOptions = true, version = "ispasp 0.1.0",
        description = "Structured pruning of trained networks with i-SpaSP, GFS and baselines.",
        subcommands = {TrainCommand.class, PruneCommand.class, EvalCommand.class, FinetuneCommand.class, FlopsCommand.class, ExportCommand.class,
                DemoCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    static {
        // slf4j-simple reads these when the first logger is made: logs to stderr, compact.
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (train, prune, eval, demo, bench)");
    }

    public static void main(String[] args) {
        stopOnSignals();
        System.exit(run(args, System.out, System.err));
    }

    /**
     * SIGTERM and SIGINT (Ctrl-C) end the command with one {@code error:} line and exit 128 + the signal's number;
     * the exit runs the shutdown hook that removes the outputs' temporary files (io.ispasp.io.TempFiles), so the old
     * files stay as they were. Only the CLI does this: an embedding application keeps its own signal handling.
     */
    static void stopOnSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    System.err.println("error: interrupted by SIG" + name + " (each output is either complete or as it was)");
                    System.exit(128 + s.getNumber());
                });
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal (-Xrs): its default handling still runs the shutdown hooks
            }
        }
    }

    /** Runs the CLI without exiting the JVM; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        PrintWriter errWriter = new PrintWriter(err, true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(errWriter);
        cl.setParameterExceptionHandler((ex, a) -> {
            errWriter.println("error: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean verbose = verbose(parsed);
            Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            errWriter.println("error: " + message(cause));
            if (verbose) cause.printStackTrace(errWriter);
            return cause instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        if (t instanceof java.nio.file.NoSuchFileException n && !m.contains(" ")) m = "file not found: " + m;
        if (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) return oneLine(m);
        return oneLine(t.getClass().getSimpleName() + ": " + m);
    }

    private static String oneLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p != null) {
            if (p.hasMatchedOption("--verbose")) return true;
            p = p.subcommand();
        }
        return false;
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
