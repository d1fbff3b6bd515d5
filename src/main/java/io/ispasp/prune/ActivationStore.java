package io.ispasp.prune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.ispasp.engine.Tensors;
import io.ispasp.io.ScratchFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * One carried activation tensor, float32 [samples, ...sample shape], filled batch by batch in sample order and read
 * back by sample ranges or rows: in memory (one retained tensor) or, beyond the memory bound, in a spill file read
 * with positional reads. A memory map would serve too, but its resident pages count as the process's memory, so a
 * run could not keep its peak within the bound; the page cache that holds the file does not.
 */
sealed interface ActivationStore extends AutoCloseable permits ActivationStore.InMemory, ActivationStore.Spilled {

    /** Samples {@code [from, to)}; the tensor belongs to the caller's PointerScope. */
    Tensor rows(int from, int to);

    /** The given samples, in that order. */
    Tensor rows(int[] rows);

    /** Stores {@code part} as samples {@code [from, from + part rows)}. */
    void put(int from, Tensor part);

    /** The bytes the tensor takes. */
    long bytes();

    /** [samples, ...sample shape]. */
    long[] shape();

    @Override
    void close();

    /**
     * A spill file that could not be made, written or read. Its own type, so the carried inputs fall back to
     * recomputing on a spill failure and on nothing else: an image that fails to decode while a calibration set is still
     * arriving is an {@link UncheckedIOException} too, and must end the run with its message.
     */
    final class SpillFailure extends UncheckedIOException {
        SpillFailure(IOException cause) { super(cause); }
    }

    /** Bytes of a float32 tensor of {@code shape}. */
    static long bytes(long[] shape) {
        long n = Float.BYTES;
        for (long d : shape) n *= d;
        return n;
    }

    /** The tensor in memory. */
    final class InMemory implements ActivationStore {
        private final Tensor all;
        private final long bytes;

        InMemory(long[] shape) {
            bytes = ActivationStore.bytes(shape);
            all = Tensors.retained(torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional()));
        }

        @Override
        public Tensor rows(int from, int to) { return all.narrow(0, from, to - from); }

        @Override
        public Tensor rows(int[] rows) { return all.index_select(0, Tensors.indices(rows)); }

        @Override
        public void put(int from, Tensor part) { all.narrow(0, from, part.size(0)).copy_(part); }

        @Override
        public long bytes() { return bytes; }

        @Override
        public long[] shape() { return all.shape(); }

        @Override
        public void close() { all.releaseReference(); }
    }

    /** The tensor in a scratch file, one sample after the other; each read makes a new tensor. */
    final class Spilled implements ActivationStore {
        // a ByteBuffer addresses at most 2 GB; a batch of large samples is moved in slices of this size
        private static final long SLICE = 1L << 30;
        private final ScratchFile file;
        private final long[] shape;
        private final long sampleBytes;

        Spilled(long[] shape, Path folder) {
            this.shape = shape.clone();
            this.sampleBytes = ActivationStore.bytes(shape) / Math.max(1, shape[0]);
            try {
                this.file = ScratchFile.open(folder);
            } catch (IOException e) {
                throw new SpillFailure(e);
            }
        }

        @Override
        public Tensor rows(int from, int to) {
            Tensor t = empty(to - from);
            transfer(t, 0, (long) from * sampleBytes, (long) (to - from) * sampleBytes, false);
            return t;
        }

        @Override
        public Tensor rows(int[] rows) {
            Tensor t = empty(rows.length);
            for (int i = 0; i < rows.length; i++) transfer(t, (long) i * sampleBytes, (long) rows[i] * sampleBytes, sampleBytes, false);
            return t;
        }

        @Override
        public void put(int from, Tensor part) {
            Tensor c = part.to(torch.ScalarType.Float).contiguous();
            transfer(c, 0, (long) from * sampleBytes, c.size(0) * sampleBytes, true);
        }

        @Override
        public long bytes() { return ActivationStore.bytes(shape); }

        @Override
        public long[] shape() { return shape.clone(); }

        @Override
        public void close() { file.close(); }

        private Tensor empty(int samples) {
            long[] s = shape.clone();
            s[0] = samples;
            return torch.empty(s, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional());
        }

        /** Moves {@code length} bytes between the tensor's memory at {@code at} and the file at {@code offset}. */
        private void transfer(Tensor t, long at, long offset, long length, boolean write) {
            Pointer base = t.data_ptr();
            try {
                for (long done = 0; done < length; done += SLICE) {
                    long n = Math.min(SLICE, length - done);
                    ByteBuffer buf = new BytePointer(base).position(at + done).limit(at + done + n).asByteBuffer();
                    if (write) file.write(buf, offset + done);
                    else file.read(buf, offset + done);
                }
            } catch (IOException e) {
                throw new SpillFailure(e);
            }
        }
    }
}
