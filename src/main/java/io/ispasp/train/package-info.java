/**
 * Training and evaluation: {@link io.ispasp.train.NetworkTrainer} and {@link io.ispasp.train.NetworkEvaluator} for a
 * {@link io.ispasp.nn.Network} of any family (Nesterov SGD, label smoothing, per-step schedules), and the older MLP
 * and conv trainers and evaluators the CLI still uses.
 */
package io.ispasp.train;
