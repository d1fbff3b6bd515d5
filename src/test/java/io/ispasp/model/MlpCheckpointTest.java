package io.ispasp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlpCheckpointTest {
    private static final int[] SIZES = {6, 5, 4, 3};
    private static final long MAGIC = 0x4953504153504D31L; // "ISPASPM1"

    @TempDir
    Path dir;

    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    private static void assertSame(Mlp a, Mlp b) {
        assertArrayEquals(a.sizes(), b.sizes());
        for (int l = 0; l < a.layers(); l++) {
            // compare raw bits, so -0.0 and every last digit must survive
            assertArrayEquals(bits(a.weightArray(l)), bits(b.weightArray(l)), "weights of layer " + l);
            assertArrayEquals(bits(a.biasArray(l)), bits(b.biasArray(l)), "bias of layer " + l);
        }
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private Path saved() throws IOException {
        Path f = dir.resolve("model.bin");
        MlpCheckpoint.save(Mlp.random(SIZES, 3), f);
        return f;
    }

    private static IOException loadFails(Path f) {
        return assertThrows(IOException.class, () -> MlpCheckpoint.load(f));
    }

    @Test
    void roundTripIsBitwiseExact() throws IOException {
        Mlp m = Mlp.random(SIZES, 3);
        Path f = dir.resolve("model.bin");
        MlpCheckpoint.save(m, f);
        assertSame(m, MlpCheckpoint.load(f));
        // header 8 + 4 + 4*4, floats (30+5+20+4+12+3)*4, crc 8
        assertEquals(8 + 4 + 16 + 74 * 4 + 8, Files.size(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void missingFile() {
        IOException e = loadFails(dir.resolve("nope.bin"));
        assertTrue(e instanceof NoSuchFileException, e.toString());
        assertTrue(e.getMessage().contains("nope.bin") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void badMagic() throws IOException {
        Path f = dir.resolve("other.bin");
        Files.write(f, "this is not a model checkpoint at all".getBytes());
        assertTrue(loadFails(f).getMessage().contains("bad magic"));
        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        assertTrue(loadFails(empty).getMessage().contains("truncated"));
    }

    @Test
    void truncatedAtSeveralLengths() throws IOException {
        Path f = saved();
        byte[] all = Files.readAllBytes(f);
        for (int cut : new int[] {0, 3, 8, 11, 12, 20, 28, 29, all.length / 2, all.length - 9, all.length - 8, all.length - 1}) {
            Path t = dir.resolve("cut" + cut + ".bin");
            Files.write(t, Arrays.copyOf(all, cut));
            IOException e = loadFails(t);
            assertTrue(e.getMessage().contains("truncated"), "cut at " + cut + ": " + e.getMessage());
        }
    }

    @Test
    void trailingBytes() throws IOException {
        Path f = saved();
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length + 3));
        assertTrue(loadFails(f).getMessage().contains("trailing bytes"));
    }

    @Test
    void flippedPayloadByteFailsTheChecksum() throws IOException {
        Path f = saved();
        byte[] all = Files.readAllBytes(f);
        for (int at : new int[] {28, 60, all.length - 9, all.length - 1}) { // weights, bias area, last float, the CRC itself
            byte[] bad = all.clone();
            bad[at] ^= 0x01;
            Path t = dir.resolve("flip" + at + ".bin");
            Files.write(t, bad);
            assertTrue(loadFails(t).getMessage().contains("checksum mismatch"), "flip at " + at);
        }
    }

    @Test
    void corruptHeaderFailsCleanly() throws IOException {
        Path f = saved();
        byte[] all = Files.readAllBytes(f);
        byte[] hugeWidth = all.clone();
        hugeWidth[12] = 0x00; hugeWidth[13] = (byte) 0xFF; hugeWidth[14] = (byte) 0xFF; hugeWidth[15] = (byte) 0xFF; // width 16777215
        Path t = dir.resolve("huge.bin");
        Files.write(t, hugeWidth);
        assertTrue(loadFails(t).getMessage().contains("truncated"));
        byte[] overflow = hugeWidth.clone();
        overflow[16] = 0x00; overflow[17] = (byte) 0xFF; overflow[18] = (byte) 0xFF; overflow[19] = (byte) 0xFF; // w0 has 2^48 entries
        Files.write(t, overflow);
        assertTrue(loadFails(t).getMessage().contains("too large"));
        byte[] badCount = all.clone();
        badCount[11] = 1; // one layer size only
        Files.write(t, badCount);
        assertTrue(loadFails(t).getMessage().contains("layer count"));
    }

    @Test
    void nanWeightIsRejected() throws IOException {
        // a well-formed file with a valid checksum whose first weight is NaN
        int[] sizes = {2, 2};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(MAGIC);
        out.writeInt(sizes.length);
        for (int s : sizes) out.writeInt(s);
        out.writeFloat(Float.NaN);
        for (int i = 0; i < 3 + 2; i++) out.writeFloat(0.5f);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        Path f = dir.resolve("nan.bin");
        Files.write(f, bytes.toByteArray());
        String msg = loadFails(f).getMessage();
        assertTrue(msg.contains("invalid checkpoint") && msg.contains("non-finite"), msg);
        // the same file with a finite value loads, so the hand-written format above is right
        byte[] ok = bytes.toByteArray();
        int w0 = 8 + 4 + 8;
        byte[] fine = Arrays.copyOf(ok, ok.length);
        fine[w0] = 0x3F; fine[w0 + 1] = 0; fine[w0 + 2] = 0; fine[w0 + 3] = 0; // 0.5f
        CRC32 crc2 = new CRC32();
        crc2.update(fine, 0, fine.length - 8);
        for (int i = 0; i < 8; i++) fine[fine.length - 8 + i] = (byte) (crc2.getValue() >>> (56 - 8 * i));
        Files.write(f, fine);
        assertEquals(0.5f, MlpCheckpoint.load(f).weightArray(0)[0]);
    }

    @Test
    void savingIntoMissingDirectoryCreatesNothing() {
        Path missing = dir.resolve("no/such/dir/model.bin");
        IOException e = assertThrows(IOException.class, () -> MlpCheckpoint.save(Mlp.random(SIZES, 1), missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void failedSaveLeavesExistingContentAndNoTemporaryFile() throws IOException {
        // the target is a non-empty directory: the final rename fails, and nothing may be damaged or left over
        Path target = dir.resolve("target");
        Files.createDirectory(target);
        Path inside = target.resolve("keep.txt");
        Files.writeString(inside, "old");
        assertThrows(IOException.class, () -> MlpCheckpoint.save(Mlp.random(SIZES, 1), target));
        assertEquals("old", Files.readString(inside));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the directory itself remains");
        }
        // overwriting a real checkpoint replaces it completely
        Path f = saved();
        Mlp other = Mlp.random(SIZES, 99);
        MlpCheckpoint.save(other, f);
        assertSame(other, MlpCheckpoint.load(f));
    }
}
