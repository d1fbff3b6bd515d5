package io.ispasp.api;

import java.io.IOException;
import java.nio.file.Path;

import io.ispasp.core.Report;
import io.ispasp.model.LoadedModel;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;

/**
 * What a {@link PruningJob} produced: the pruned model (owned by the job, valid until the job is closed) and
 * the report ({@link ConvPruneReport} for conv nets, {@link PruneReport} for MLPs).
 */
public final class PruningResult {
    private final LoadedModel model;
    private final Report report;

    PruningResult(LoadedModel model, Report report) {
        this.model = model;
        this.report = report;
    }

    /** The pruned model; {@code model().conv()} or {@code model().mlp()} for the engine's own classes. */
    public LoadedModel model() { return model; }

    public Report report() { return report; }

    /** Writes the pruned model: TorchScript for a name ending in .pt, .pth or .ts, else an engine checkpoint. */
    public void save(Path file) throws IOException {
        TorchRuntime.init();
        ModelFile.save(model, file);
    }
}
