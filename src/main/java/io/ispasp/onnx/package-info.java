/**
 * ONNX models as files: {@link io.ispasp.onnx.OnnxFile} reads a model into ONNX's own protobuf messages
 * ({@link io.ispasp.onnx.proto}) and writes one back, with the engine's error wording and its one-transaction writes.
 * The transformer support (recognising BERT-family encoders, pruning them, exporting the smaller graph) builds on
 * these messages.
 */
package io.ispasp.onnx;
