/**
 * The {@code ispasp} command line (picocli commands over the engine and the embedding API).
 */
package io.ispasp.cli;
