package io.ispasp.model.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The conv-net checkpoint: exact round trips, and one clear error for every kind of damaged file. */
class ConvCheckpointTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<ConvSpec> specs() {
        return Stream.of(ConvFixtures.tinyResNet(), ConvFixtures.tinyMobileNet(),
                ConvSpec.dense(Arch.RESNET34, true, 10, 0.125),
                ConvSpec.dense(Arch.MOBILENETV2, false, 7, 0.25));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void roundTripIsExact(ConvSpec spec) throws IOException {
        try (ConvNet net = ConvFixtures.randomized(spec, 5)) {
            setBatchesTracked(net, 7);
            assertRoundTrip(net);
        }
    }

    /** A pruned net (smaller inner widths) is stored with its own spec and comes back the same. */
    @Test
    void prunedNetsRoundTrip() throws IOException {
        for (ConvSpec spec : new ConvSpec[] {ConvFixtures.tinyResNet(), ConvFixtures.tinyMobileNet()}) {
            try (ConvNet dense = ConvFixtures.randomized(spec, 2); ConvNet pruned = Surgery.keep(dense, 1, new int[] {0, 2, 3})) {
                assertEquals(3, pruned.spec().inner(1));
                assertRoundTrip(pruned);
            }
        }
    }

    @Test
    void corruptDataByteFailsTheChecksum() throws IOException {
        Path file = saved("corrupt.ckpt");
        byte[] b = Files.readAllBytes(file);
        b[b.length - 100] ^= 0x10;
        Files.write(file, b);
        assertError(file, "corrupt checkpoint (checksum mismatch)");
    }

    /** Whatever single byte is damaged, loading gives an IOException naming the file, never a crash or a net. */
    @Test
    void everyDamagedByteIsAnIoError() throws IOException {
        Path file = saved("sweep.ckpt");
        byte[] good = Files.readAllBytes(file);
        SplittableRandom rnd = new SplittableRandom(3);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < 200; i++) positions.add(i); // the header and the first tensors' headers
        for (int i = 0; i < 40; i++) positions.add(rnd.nextInt(good.length));
        for (int i = 1; i <= 8; i++) positions.add(good.length - i); // the last data and the checksum
        for (int p : positions) {
            byte[] b = good.clone();
            b[p] ^= (byte) (1 << rnd.nextInt(8));
            Files.write(file, b);
            try {
                ConvCheckpoint.load(file).close();
                fail("damaged byte " + p + " was not detected");
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f), "one printable line: " + e.getMessage());
            }
        }
    }

    @Test
    void truncatedFilesSaySo() throws IOException {
        Path file = saved("full.ckpt");
        byte[] good = Files.readAllBytes(file);
        for (int len : new int[] {good.length - 1, good.length - 4, good.length - 5, good.length / 2, 40, 12}) {
            Path cut = Files.write(dir.resolve("cut-" + len + ".ckpt"), Arrays.copyOf(good, len));
            assertError(cut, "truncated checkpoint");
        }
        Path tiny = Files.write(dir.resolve("tiny.ckpt"), Arrays.copyOf(good, 5));
        assertError(tiny, "not an ispasp conv-net checkpoint");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        Path file = saved("trailing.ckpt");
        Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertError(file, "trailing bytes");
    }

    /** A header that declares a huge tensor is caught against the file's length, before anything is allocated. */
    @Test
    void hugeDeclaredShapeFailsBeforeAllocating() throws IOException {
        ConvSpec spec = ConvFixtures.tinyResNet();
        Path file = saved("huge.ckpt");
        byte[] b = Files.readAllBytes(file);
        String first = "conv1.weight";
        int offset = 8 + 2 + spec.arch().cliName().length() + 1 + 4 + 8 + 4 + 4 * spec.units() + 4
                + 2 + first.length() + 1 + 1;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(spec.stem(), bb.getLong(offset), "offset of conv1.weight's first dimension");
        for (long dim : new long[] {Long.MAX_VALUE, 1L << 40, -1}) {
            bb.putLong(offset, dim);
            Files.write(file, b);
            IOException e = assertThrows(IOException.class, () -> ConvCheckpoint.load(file));
            assertTrue(e.getMessage().contains("conv1.weight"), e.getMessage());
        }
    }

    @Test
    void otherFilesAreNotConvCheckpoints() throws IOException {
        Path text = Files.writeString(dir.resolve("text.ckpt"), "not a model at all");
        assertError(text, "is not an ispasp conv-net checkpoint (bad magic)");
        assertFalse(ConvCheckpoint.isConvCheckpoint(text));

        Path mlp = dir.resolve("mlp.ckpt");
        MlpCheckpoint.save(Mlp.random(new int[] {6, 4, 3}, 1), mlp);
        assertError(mlp, "is not an ispasp conv-net checkpoint (it is an MLP checkpoint)");
        assertFalse(ConvCheckpoint.isConvCheckpoint(mlp));

        assertTrue(ConvCheckpoint.isConvCheckpoint(saved("conv.ckpt")));
        assertFalse(ConvCheckpoint.isConvCheckpoint(dir.resolve("missing.ckpt")));
        assertFalse(ConvCheckpoint.isConvCheckpoint(dir));
        assertThrows(NoSuchFileException.class, () -> ConvCheckpoint.load(dir.resolve("missing.ckpt")));
    }

    @Test
    void failedSavesLeaveTheTargetAlone() throws IOException {
        Path missingDir = dir.resolve("nodir/net.ckpt");
        try (ConvNet net = ConvNet.random(ConvFixtures.tinyMobileNet(), 1)) {
            assertThrows(NoSuchFileException.class, () -> ConvCheckpoint.save(net, missingDir));
            assertFalse(Files.exists(missingDir.getParent()));

            // a net that goes bad after the first tensors were written: the old file stays, no temporary is left
            Path sub = Files.createDirectories(dir.resolve("keep"));
            Path target = sub.resolve("net.ckpt");
            ConvCheckpoint.save(net, target);
            byte[] before = Files.readAllBytes(target);
            try (PointerScope s = new PointerScope()) {
                net.tensor("classifier.1.bias").fill_(new Scalar(Double.NaN));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConvCheckpoint.save(net, target));
            assertTrue(e.getMessage().contains("classifier.1.bias"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(target));
            try (Stream<Path> files = Files.list(sub)) {
                assertEquals(List.of(target), files.toList());
            }
        }
    }

    private Path saved(String name) throws IOException {
        Path file = dir.resolve(name);
        try (ConvNet net = ConvFixtures.randomized(ConvFixtures.tinyResNet(), 1)) {
            ConvCheckpoint.save(net, file);
        }
        return file;
    }

    private void assertRoundTrip(ConvNet net) throws IOException {
        Path file = dir.resolve("net.ckpt");
        ConvCheckpoint.save(net, file);
        try (PointerScope s = new PointerScope(); ConvNet back = ConvCheckpoint.load(file)) {
            assertEquals(net.spec(), back.spec());
            assertEquals(List.copyOf(net.state().keySet()), List.copyOf(back.state().keySet()), "names in state order");
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                Tensor b = back.tensor(e.getKey());
                assertEquals(e.getValue().scalar_type().intern(), b.scalar_type().intern(), e.getKey());
                assertTrue(torch.equal(e.getValue(), b), e.getKey() + " differs");
            }
            Tensor x = ConvFixtures.images(2, 32, 4);
            assertEquals(0.0, ConvFixtures.maxAbsDiff(net.forward(x), back.forward(x)), "identical forward");
        }
    }

    private static void setBatchesTracked(ConvNet net, long n) {
        try (PointerScope s = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                if (e.getKey().endsWith("num_batches_tracked")) e.getValue().fill_(new Scalar(n));
            }
        }
    }

    private static void assertError(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> ConvCheckpoint.load(file).close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
