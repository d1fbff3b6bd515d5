/**
 * i-SpaSP on MLP units: the loop, the score oracles (direct, statistics), the cost model, refit and the MLP pruner.
 */
package io.ispasp.prune;
