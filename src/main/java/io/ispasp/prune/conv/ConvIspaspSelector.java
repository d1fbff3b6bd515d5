package io.ispasp.prune.conv;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.Kernels;
import io.ispasp.prune.CostModel;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.NativeOracle;
import io.ispasp.prune.ScoreOracle;
import io.ispasp.prune.Selection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * i-SpaSP on a conv unit: the same loop as for MLP units ({@link IspaspSelector#run}), with scores from the direct
 * path ({@link ConvDirectOracle}) or the statistics path (1x1 B: the native kernels and their fused loop; 3x3 B:
 * {@link PatchOracle}), chosen per unit by {@link ConvCostModel}.
 */
public final class ConvIspaspSelector implements ConvSelector {
    private static final Logger LOG = LoggerFactory.getLogger(ConvIspaspSelector.class);

    @Override
    public Selection select(ConvUnit unit) {
        PruneOptions o = unit.options();
        if (o.refit()) throw new IllegalArgumentException("--refit is not available for conv units");
        long rows = (long) unit.calibration().size() * unit.positions();
        CostModel.Choice choice = ConvCostModel.choose(o.path(), rows, unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), o.iterations(), o.score());
        LOG.info("{}: N={} s={} out={} taps={} -> {} path ({})", unit.name(), unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), choice.path().cliName(), choice.reason());
        long t0 = System.nanoTime();
        try (ScoreOracle oracle = open(unit, choice.path())) {
            double dataSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            IspaspSelector.Loop loop = oracle instanceof NativeOracle fused
                    ? fused.run(unit.keep(), o.iterations(), o.earlyStop())
                    : IspaspSelector.run(oracle, unit.keep(), o.iterations(), o.earlyStop());
            double iterSeconds = (System.nanoTime() - t1) / 1e9;
            return new Selection(loop.support(), 1f, null, choice.path().cliName(), choice.reason(), loop.residuals(),
                    loop.iterationsRun(), null, dataSeconds, iterSeconds);
        }
    }

    /** The oracle of the chosen path; the statistics path gathers its statistics here (the data pass). */
    public static ScoreOracle open(ConvUnit unit, PathChoice path) {
        PruneOptions o = unit.options();
        if (path == PathChoice.DIRECT) return new ConvDirectOracle(unit, o.score(), ConvDirectOracle.DEFAULT_CACHE_BYTES);
        Kernels kernels = Backends.select(o.device()).kernels();
        ConvStatistics stats = ConvStatistics.gather(unit, kernels);
        if (unit.taps() == 1) return new NativeOracle(kernels.unit(stats.inputs(), o.score()), stats.activationMass());
        return new PatchOracle(stats, kernels.unit(stats.inputs(), io.ispasp.core.Score.CORRELATION), o.score());
    }
}
