/**
 * ONNX's protobuf messages ({@code OnnxProto.ModelProto}, {@code GraphProto}, {@code NodeProto},
 * {@code TensorProto}, ...), generated at build time by protoc from ONNX's own schema,
 * {@code src/main/protobuf/onnx/onnx.proto}. Nothing here is written by hand except this file.
 */
package io.ispasp.onnx.proto;
