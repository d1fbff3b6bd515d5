package io.ispasp.engine;

import java.util.concurrent.CancellationException;

/**
 * Cooperative cancellation of a pruning run. A job installs its {@link Token} on the thread that runs it; the
 * long loops (units, i-SpaSP iterations, GFS steps, the FLOPs-target scan, fine-tuning batches) call
 * {@link #checkpoint()}, which throws {@link CancellationException} once the token is cancelled or the thread is
 * interrupted. A thread-local keeps the many internal signatures free of a parameter that only a few callers
 * set; without a token, a checkpoint only looks at the interrupt flag.
 */
public final class Cancellation {
    private static final ThreadLocal<Token> CURRENT = new ThreadLocal<>();

    private Cancellation() {}

    /** A flag one thread sets and the running job reads. */
    public static final class Token {
        private volatile boolean cancelled;

        public void cancel() { cancelled = true; }

        public boolean isCancelled() { return cancelled; }
    }

    /** Runs {@code body} on this thread with {@code token} installed. */
    public static <T, E extends Exception> T with(Token token, Body<T, E> body) throws E {
        Token previous = CURRENT.get();
        CURRENT.set(token);
        try {
            return body.run();
        } finally {
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        }
    }

    /** The work run under a token. */
    @FunctionalInterface
    public interface Body<T, E extends Exception> {
        T run() throws E;
    }

    /** Throws {@link CancellationException} when this thread's job was cancelled or the thread interrupted. */
    public static void checkpoint() {
        Token t = CURRENT.get();
        if (t != null && t.cancelled) throw new CancellationException("pruning cancelled");
        if (Thread.currentThread().isInterrupted()) throw new CancellationException("pruning interrupted");
    }
}
