package io.ispasp.cli;

import io.ispasp.train.NetworkTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress lines on stderr (through the log): training steps in 10% slices. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger("progress");

    private Progress() {}

    static NetworkTrainer.Listener training() {
        return new NetworkTrainer.Listener() {
            private long nextReport = 1;

            @Override
            public void onStep(int epoch, long step, long total, double runningLoss) {
                long slice = Math.max(1, total / 10);
                if (step >= nextReport * slice || step == total) {
                    LOG.info("training {}% (epoch {}, step {}/{}), loss {}", 100 * step / total, epoch, step, total,
                            String.format("%.4f", runningLoss));
                    nextReport = step / slice + 1;
                }
            }
        };
    }

    static void info(String message) {
        LOG.info(message);
    }
}
