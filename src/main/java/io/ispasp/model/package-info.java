/**
 * MLPs: the model, surgery and checkpoints, and {@code LoadedModel}, an MLP or a conv net read from a file.
 */
package io.ispasp.model;
