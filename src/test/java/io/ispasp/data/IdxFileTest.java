package io.ispasp.data;

import static io.ispasp.data.IdxTestFiles.bytes;
import static io.ispasp.data.IdxTestFiles.gzip;
import static io.ispasp.data.IdxTestFiles.ubytes;
import static io.ispasp.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
    @TempDir Path dir;

    private static int[] values(IdxFile f) {
        int[] v = new int[f.size()];
        for (int i = 0; i < v.length; i++) v[i] = f.get(i);
        return v;
    }

    @Test
    void readsPlainLabels() throws IOException {
        Path p = write(dir.resolve("labels"), bytes(0x801, new int[] {4}, ubytes(0, 9, 128, 255)));
        IdxFile f = IdxFile.read(p);
        assertEquals(1, f.rank());
        assertArrayEquals(new int[] {4}, f.dims());
        assertArrayEquals(new int[] {0, 9, 128, 255}, values(f));
    }

    @Test
    void readsGzippedImagesRegardlessOfName() throws IOException {
        byte[] raw = bytes(0x803, new int[] {2, 2, 3}, ubytes(0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255));
        // No .gz suffix: compression must be detected from the content.
        IdxFile f = IdxFile.read(write(dir.resolve("images-no-suffix"), gzip(raw)));
        assertEquals(3, f.rank());
        assertArrayEquals(new int[] {2, 2, 3}, f.dims());
        assertEquals(2, f.dim(0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}, values(f));
    }

    @Test
    void missingFileNamesThePath() {
        Path p = dir.resolve("nope-idx1-ubyte");
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(p));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        // 0x0D = float type, 0x0802 = 2-D, 0x12345678 = garbage.
        for (int magic : new int[] {0x00000D01, 0x00000802, 0x12345678, 0x00000804}) {
            Path p = write(dir.resolve("m" + magic), bytes(magic, new int[] {1}, ubytes(0)));
            IOException e = assertThrows(IOException.class, () -> IdxFile.read(p));
            assertTrue(e.getMessage().contains("magic") && e.getMessage().contains(p.toString()), e.getMessage());
        }
    }

    @Test
    void rejectsNonPositiveOrHugeDims() throws IOException {
        Path zero = write(dir.resolve("zero"), bytes(0x803, new int[] {0, 2, 2}, new byte[0]));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(zero)).getMessage().contains("must be > 0"));
        Path neg = write(dir.resolve("neg"), bytes(0x801, new int[] {-5}, new byte[0]));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(neg)).getMessage().contains("must be > 0"));
        Path huge = write(dir.resolve("huge"), bytes(0x803, new int[] {1 << 20, 1 << 10, 1 << 10}, new byte[0]));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(huge)).getMessage().contains("too many"));
    }

    @Test
    void rejectsTruncatedPayloadAndHeader() throws IOException {
        Path p = write(dir.resolve("short"), bytes(0x803, new int[] {2, 2, 2}, ubytes(1, 2, 3, 4, 5, 6, 7)));
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(p));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(p.toString()), e.getMessage());

        Path gz = write(dir.resolve("short.gz"), gzip(bytes(0x801, new int[] {3}, ubytes(1, 2))));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(gz)).getMessage().contains("truncated"));

        Path header = write(dir.resolve("header"), Arrays.copyOf(bytes(0x803, new int[] {1, 1, 1}, ubytes(0)), 9));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(header)).getMessage().contains("truncated"));

        // A gzip stream cut in half is also reported, not passed through as a raw exception.
        byte[] whole = gzip(bytes(0x801, new int[] {100}, new byte[100]));
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(whole, whole.length / 2));
        IOException c = assertThrows(IOException.class, () -> IdxFile.read(cut));
        assertTrue(c.getMessage().contains(cut.toString()), c.getMessage());
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        Path p = write(dir.resolve("long"), bytes(0x801, new int[] {2}, ubytes(1, 2, 3)));
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(p));
        assertTrue(e.getMessage().contains("trailing bytes") && e.getMessage().contains(p.toString()), e.getMessage());
    }
}
