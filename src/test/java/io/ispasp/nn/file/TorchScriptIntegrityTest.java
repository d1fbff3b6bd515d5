package io.ispasp.nn.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged TorchScript file is refused with one line naming it, never loaded silently: one flipped bit at many
 * offsets over the whole file is refused, or (in a byte no reader uses) loads the very same model; a file from
 * {@code torch.save} gets a hint on how to save TorchScript.
 */
class TorchScriptIntegrityTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @Test
    void oneFlippedBitIsRefusedUnlessItChangesNothingThatIsLoaded() throws IOException {
        Path good = scripted("good.pt", Mlp.relu(24, 16, 5), 3);
        byte[] bytes = Files.readAllBytes(good);
        Random rnd = new Random(11);
        int flips = 160, refused = 0;
        List<Integer> accepted = new ArrayList<>();
        Path bad = dir.resolve("flipped.pt");
        for (int i = 0; i < flips; i++) { // one offset in each 1/160 of the file, headers, tensors and directory alike
            int offset = (int) ((long) i * bytes.length / flips) + rnd.nextInt(Math.max(1, bytes.length / flips));
            byte[] b = bytes.clone();
            b[offset] ^= (byte) (1 << rnd.nextInt(8));
            Files.write(bad, b);
            try (Network back = NetworkTorchScript.read(bad)) {
                // accepted: the flip hit a byte no reader uses (a time, padding), so the model must be the original
                assertSameState(good, back, offset);
                accepted.add(offset);
            } catch (IOException e) {
                assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused++;
            }
        }
        // a tiny model's file is half headers, and bytes no reader uses (times, padding, file attributes) stay harmless
        assertTrue(refused >= flips * 8 / 10, refused + " of " + flips + " refused; accepted at " + accepted + " of " + bytes.length);
    }

    private static void assertSameState(Path good, Network back, int offset) throws IOException {
        try (Network original = NetworkTorchScript.read(good)) {
            assertEquals(original.architecture(), back.architecture(), "flip at " + offset);
            for (var e : original.state().entrySet()) {
                assertTrue(e.getValue().equal(back.state().get(e.getKey())), e.getKey() + " changed by the accepted flip at " + offset);
            }
        }
    }

    @Test
    void aFlipInsideATensorIsRefusedNamingTheEntry() throws IOException {
        Path file = scripted("net.pt", Mlp.relu(64, 64, 4), 1);
        byte[] bytes = Files.readAllBytes(file);
        // the largest run of bytes that are not text is the 64x64 weight: flip a bit in its middle
        int at = bytes.length / 2;
        bytes[at] ^= 0x10;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> NetworkTorchScript.read(file));
        assertTrue(e.getMessage().contains("entry") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    /** A random network of {@code arch} written as TorchScript to {@code name} in the test folder. */
    private Path scripted(String name, Mlp arch, long seed) throws IOException {
        Path file = dir.resolve(name);
        try (Network net = Network.random(arch, seed)) {
            NetworkTorchScript.write(net, file);
        }
        return file;
    }

    @Test
    void aTorchSaveFileGetsAHintToSaveTorchScript() throws IOException {
        Path file = dir.resolve("state_dict.pt");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : new String[] {"state_dict/data.pkl", "state_dict/byteorder", "state_dict/data/0", "state_dict/version"}) {
                byte[] content = ("x" + name).getBytes(StandardCharsets.US_ASCII);
                ZipEntry e = new ZipEntry(name);
                e.setMethod(ZipEntry.STORED);
                e.setSize(content.length);
                CRC32 crc = new CRC32();
                crc.update(content);
                e.setCrc(crc.getValue());
                zip.putNextEntry(e);
                zip.write(content);
                zip.closeEntry();
            }
        }
        IOException e = assertThrows(IOException.class, () -> NetworkTorchScript.read(file));
        assertTrue(e.getMessage().contains("torch.save") && e.getMessage().contains("torch.jit.save"), e.getMessage());
    }
}
