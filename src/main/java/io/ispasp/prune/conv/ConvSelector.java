package io.ispasp.prune.conv;

import io.ispasp.prune.Selection;

/** A pruning criterion for one conv unit (i-SpaSP, GFS, magnitude, activation mass, random). */
@FunctionalInterface
public interface ConvSelector {
    Selection select(ConvUnit unit);
}
