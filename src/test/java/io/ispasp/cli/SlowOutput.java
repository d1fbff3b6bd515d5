package io.ispasp.cli;

import java.nio.file.Path;

import io.ispasp.io.OutputTransaction;

/**
 * A command whose write takes long: with the CLI's signal handling, it writes 64 KB of {@code OUT}, prints
 * {@code WRITING} and sleeps a minute before writing the rest and committing. {@link SignalsTest} signals it while it
 * writes. Usage: {@code SlowOutput OUT}.
 */
public final class SlowOutput {
    private SlowOutput() {}

    public static void main(String[] args) throws Exception {
        Main.stopOnSignals();
        Path out = Path.of(args[0]);
        try (OutputTransaction tx = OutputTransaction.of("--out", out)) {
            tx.write(out, o -> {
                o.write(new byte[1 << 16]);
                o.flush();
                System.out.println("WRITING");
                System.out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                o.write(new byte[1 << 16]);
            });
            tx.commit();
        }
        System.exit(0);
    }
}
