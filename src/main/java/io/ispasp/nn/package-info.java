/**
 * One description of every network the engine prunes: a {@link io.ispasp.nn.Network} is a named state (torchvision's
 * parameter names) plus a small {@link io.ispasp.nn.Program} of tensor ops, and a list of units (A makes the hidden
 * groups H, B is linear in H) with the tensors that one group couples. Forward passes, prefixes, surgery, shapes,
 * FLOPs and TorchScript source all follow from the program, so they are written once for every family; a family is
 * one {@link io.ispasp.nn.Architecture} under {@code io.ispasp.nn.arch}. See docs/design.md.
 */
package io.ispasp.nn;
