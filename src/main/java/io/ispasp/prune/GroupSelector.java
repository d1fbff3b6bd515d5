package io.ispasp.prune;

/**
 * A pruning criterion: chooses which groups of one unit to keep. Implementations are small, stateless and
 * interchangeable (i-SpaSP, GFS, magnitude, activation mass, random).
 */
@FunctionalInterface
public interface GroupSelector {
    Selection select(UnitContext unit);
}
