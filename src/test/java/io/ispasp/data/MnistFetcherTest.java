package io.ispasp.data;

import static io.ispasp.data.IdxTestFiles.ubytes;
import static io.ispasp.data.IdxTestFiles.writeSplit;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {
    @TempDir Path dir;

    @Test
    void presentFilesNeedNoScript() throws IOException {
        writeSplit(dir, true, 1, 1, ubytes(0), ubytes(0), false);
        writeSplit(dir, false, 1, 1, ubytes(0), ubytes(0), true);
        assertSame(dir, MnistFetcher.ensure(dir));
    }

    @Test
    void missingScriptIsReported() {
        String old = System.getProperty("ispasp.home");
        System.setProperty("ispasp.home", dir.toString());
        try {
            IOException e = assertThrows(IOException.class, () -> MnistFetcher.ensure(dir.resolve("mnist")));
            assertTrue(e.getMessage().contains("fetch script not found"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("ispasp.home");
            else System.setProperty("ispasp.home", old);
        }
    }
}
