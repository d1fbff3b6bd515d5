/**
 * The baselines beside i-SpaSP, each a {@link io.ispasp.prune.Selector} for every kind of unit of every family:
 * greedy forward selection (GFS), magnitude (L1 norm of A's weight), activation mass and random.
 */
package io.ispasp.baseline;
