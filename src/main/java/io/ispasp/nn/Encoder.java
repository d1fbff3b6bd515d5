package io.ispasp.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * What the encoder ops ({@link Op.Embeddings}, {@link Op.LayerNorm}, {@link Op.SelfAttention}, {@link Op.TokenRows},
 * {@link Op.TokenAdd}) share: padding is a zero row of the hidden state, and these read it back as the mask.
 */
final class Encoder {
    private Encoder() {}

    /** [batch, seq] bool: rows of {@code x} [batch, seq, hidden] that are not all zero (real tokens). */
    static Tensor realRows(Tensor x) { return x.ne(new Scalar(0.0)).any(-1); }

    /** The flat indices (batch x seq) of the true entries of {@code mask}, int64. */
    static Tensor realRowIndices(Tensor mask) { return mask.reshape(-1).nonzero().reshape(-1); }

    /** [total, width] zeros with {@code values} [rows, width] at the row indices {@code at}. */
    static Tensor scatterRows(Tensor values, Tensor at, long total) {
        return values.new_zeros(new long[] {total, values.size(1)}).index_copy(0, at, values);
    }

    static Tensor layerNorm(Tensor x, Op.State s, String module, double eps) {
        return torch.layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(s.tensor(module + ".weight")),
                new TensorOptional(s.tensor(module + ".bias")), eps, false);
    }

    static Tensor linear(Tensor x, Op.State s, String module) {
        return torch.linear(x, s.tensor(module + ".weight"), new TensorOptional(s.tensor(module + ".bias")));
    }

    /** Encoders are written as ONNX (their source format), not TorchScript. */
    static UnsupportedOperationException noScript() {
        return new UnsupportedOperationException("an encoder is saved as ONNX (.onnx), not as TorchScript");
    }
}
