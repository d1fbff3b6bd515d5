/**
 * The shared vocabulary below everything: methods, scores, devices, path choices, targets, pruning options and
 * the pruning reports. Every other package may use it; it depends on nothing of the engine but the JSON helper
 * ({@code io.ispasp.io}) for {@link io.ispasp.core.Report#toJson()}.
 */
package io.ispasp.core;
