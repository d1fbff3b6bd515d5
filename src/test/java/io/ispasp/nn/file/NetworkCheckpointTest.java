package io.ispasp.nn.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import io.ispasp.engine.Tensors;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NetworkCheckpoint}: every fixture architecture, dense and with a unit pruned to half, saves and loads back
 * to the same architecture, the same state (bit for bit) and the same outputs; damaged files (a flipped byte, a
 * truncation, another magic, a missing file) are one-line {@link IOException}s naming the file.
 */
class NetworkCheckpointTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest
    @MethodSource("architectures")
    void roundTripKeepsStateAndOutputs(Architecture arch) throws IOException {
        try (Network dense = NetFixtures.randomized(arch, 3)) {
            roundTrip(dense, dir.resolve("dense.ckpt"));
            int unit = dense.units().size() / 2;
            int groups = dense.unit(unit).groups();
            int[] kept = new int[(groups + 1) / 2];
            for (int i = 0; i < kept.length; i++) kept[i] = 2 * i;
            try (Network pruned = Surgery.keep(dense, unit, kept)) {
                assertEquals(kept.length, pruned.unit(unit).groups());
                roundTrip(pruned, dir.resolve("pruned.ckpt"));
            }
        }
    }

    static void roundTrip(Network net, Path file) throws IOException {
        NetworkCheckpoint.save(net, file);
        assertTrue(NetworkCheckpoint.isCheckpoint(file));
        try (Network back = NetworkCheckpoint.load(file); PointerScope scope = new PointerScope()) {
            assertEquals(net.architecture(), back.architecture());
            assertEquals(net.architecture().describe(), back.architecture().describe());
            assertStateEquals(net.state(), back.state());
            Tensor x = NetFixtures.inputs(net.architecture(), 2, 5);
            assertArrayEquals(Tensors.floats(net.forward(x)), Tensors.floats(back.forward(x)));
        }
    }

    static void assertStateEquals(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet().stream().toList(), b.keySet().stream().toList());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertTrue(a.get(k).equal(b.get(k)), k);
        }
    }

    @Test
    void damagedFilesAreOneLineErrorsNamingTheFile() throws IOException {
        Path good = dir.resolve("good.ckpt");
        try (Network net = NetFixtures.randomized(NetFixtures.all().get(0), 1)) {
            NetworkCheckpoint.save(net, good);
        }
        byte[] bytes = Files.readAllBytes(good);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        assertFails(write("flipped.ckpt", flipped), "checksum");
        assertFails(write("truncated.ckpt", Arrays.copyOf(bytes, bytes.length - 100)), "truncated");
        assertFails(write("short.ckpt", Arrays.copyOf(bytes, 30)), "truncated");
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 3);
        assertFails(write("trailing.ckpt", trailing), "trailing");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertFails(write("magic.ckpt", magic), "bad magic");
        byte[] version = bytes.clone();
        version[8] = 7;
        assertFails(write("version.ckpt", version), "version 7");
        byte[] arch = bytes.clone();
        arch[14] = 'x'; // inside "resnet18 ...": an unknown architecture
        assertFails(write("arch.ckpt", arch), "architecture");
        Path missing = dir.resolve("missing.ckpt");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> NetworkCheckpoint.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static void assertFails(Path file, String what) {
        IOException e = assertThrows(IOException.class, () -> NetworkCheckpoint.load(file).close(), file.toString());
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains(what), m);
        assertTrue(!m.contains("\n"), m);
    }
}
