/**
 * Training and evaluation: the MLP and conv trainers (Nesterov SGD, label smoothing) and evaluators.
 */
package io.ispasp.train;
