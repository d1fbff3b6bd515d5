package io.ispasp.job;

import io.ispasp.core.Method;
import io.ispasp.baseline.ActivationSelector;
import io.ispasp.baseline.GfsSelector;
import io.ispasp.baseline.MagnitudeSelector;
import io.ispasp.baseline.RandomSelector;
import io.ispasp.prune.GroupSelector;
import io.ispasp.prune.IspaspSelector;

/** Maps a {@link Method} to its selector. */
public final class Selectors {
    private Selectors() {}

    public static GroupSelector of(Method method) {
        return switch (method) {
            case ISPASP -> new IspaspSelector();
            case GFS -> new GfsSelector();
            case MAGNITUDE -> new MagnitudeSelector();
            case ACTIVATION -> new ActivationSelector();
            case RANDOM -> new RandomSelector();
        };
    }
}
