package io.ispasp.api;

import java.io.IOException;
import java.nio.file.Path;

import io.ispasp.core.PruneReport;
import io.ispasp.nn.Network;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;

/**
 * What a {@link PruningJob} produced: the pruned network (owned by the job, valid until the job is closed) and
 * the report.
 */
public final class PruningResult {
    private final Network model;
    private final PruneReport report;

    PruningResult(Network model, PruneReport report) {
        this.model = model;
        this.report = report;
    }

    /** The pruned network. */
    public Network model() { return model; }

    public PruneReport report() { return report; }

    /** Writes the pruned model: TorchScript for a name ending in .pt, .pth or .ts, else an engine checkpoint. */
    public void save(Path file) throws IOException {
        TorchRuntime.init();
        ModelFile.save(model, file);
    }
}
