package io.ispasp.prune;

/**
 * A pruning method: chooses which groups of one unit to keep. Implementations are small and interchangeable
 * (i-SpaSP, GFS; magnitude, activation mass and random through {@link Importance#selector}) and see every kind
 * of unit the same way, through {@link UnitData}.
 */
@FunctionalInterface
public interface Selector {
    Selection select(UnitData unit);
}
