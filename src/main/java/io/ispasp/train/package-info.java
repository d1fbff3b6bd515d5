/**
 * Training and evaluation: {@link io.ispasp.train.NetworkTrainer} and {@link io.ispasp.train.NetworkEvaluator} for a
 * {@link io.ispasp.nn.Network} of any family (Nesterov SGD, label smoothing, per-step schedules), with per-family
 * defaults in {@link io.ispasp.train.NetworkTrainConfig}.
 */
package io.ispasp.train;
