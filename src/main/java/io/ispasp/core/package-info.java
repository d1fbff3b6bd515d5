/**
 * The shared vocabulary below everything: methods, scores, devices, path choices, targets, pruning options and
 * the pruning report ({@link io.ispasp.core.PruneReport}, one for every family). Every other package may use it; it
 * depends on nothing of the engine but the JSON helper ({@code io.ispasp.io}).
 */
package io.ispasp.core;
