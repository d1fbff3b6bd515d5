/**
 * i-SpaSP and the pruning machinery shared by every method and family: the one loop ({@link io.ispasp.prune.Pruner}),
 * the {@link io.ispasp.prune.Selector} and {@link io.ispasp.prune.Importance} interfaces, a unit on calibration data
 * ({@link io.ispasp.prune.UnitData}), the score oracles (direct, statistics for 1x1 and 3x3, native), the cost model,
 * the refit, layouts, the FLOPs target, and the unit inputs carried from unit to unit (in memory or spilled). See
 * docs/design.md.
 */
package io.ispasp.prune;
