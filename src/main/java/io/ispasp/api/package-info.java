/**
 * The embedding API, what users call: {@link io.ispasp.api.PruningJob} with its calibration data, progress listener and
 * result. The facade over the engine; only {@code io.ispasp.cli} and users depend on it. Its methods take the shared
 * vocabulary of {@link io.ispasp.core} (methods, scores, devices) and return its reports.
 */
package io.ispasp.api;
