/**
 * One pruning run on a {@link io.ispasp.nn.Network} of any family ({@link io.ispasp.job.PruneJob}, what the CLI and
 * the embedding API call): the layout (given or chosen for a FLOPs target), the pruner, optional fine-tuning,
 * accuracy and the report; calibration data from the engine's datasets or from tensors; the mapping from method to
 * selector.
 */
package io.ispasp.job;
