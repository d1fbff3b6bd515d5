/**
 * One pruning run of an MLP or a conv net on the engine's datasets (what the CLI and the embedding API call), and
 * the mapping from method to selector.
 */
package io.ispasp.job;
