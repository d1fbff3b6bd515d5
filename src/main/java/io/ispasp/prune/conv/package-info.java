/**
 * i-SpaSP on conv units: direct and statistics (patch) oracles, the cost model, the conv pruner and the FLOPs target.
 */
package io.ispasp.prune.conv;
