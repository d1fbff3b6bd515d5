package io.ispasp.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Checks a zip archive (TorchScript's container) before a reader that trusts it opens it: libtorch checks no
 * CRC, so a flipped bit in a tensor would load silently. Two views of the archive must agree: the central
 * directory, read with the JDK's {@link ZipFile} (every entry's content against its CRC-32 and size), and the local
 * headers, walked in file order (name, method, CRC-32 and sizes of each, as readers locate the data through them).
 * Bytes no reader uses (times, version fields, alignment padding inside extra fields) are not covered: a flip there
 * changes nothing that is loaded.
 */
public final class ZipIntegrity {
    private ZipIntegrity() {}

    /** The entry names, in central-directory order, once every check passed; else one-line IOException naming the entry. */
    public static List<String> verify(Path file) throws IOException {
        Map<String, ZipEntry> central = new LinkedHashMap<>();
        String current = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                current = e.getName();
                if (central.put(current, e) != null) throw corrupt(file, current, "appears twice");
                CRC32 crc = new CRC32();
                long n = 0;
                try (InputStream in = zip.getInputStream(e)) {
                    n = digest(in, crc);
                }
                if (n != e.getSize()) throw corrupt(file, current, "holds " + n + " bytes, the directory says " + e.getSize());
                if (crc.getValue() != e.getCrc()) {
                    throw corrupt(file, current, String.format(Locale.ROOT, "has CRC-32 %08x, the directory says %08x", crc.getValue(), e.getCrc()));
                }
            }
        } catch (ZipException e) {
            throw new IOException(file + ": damaged zip archive" + (current == null ? "" : " at entry " + current) + ": " + e.getMessage(), e);
        }
        checkLocalHeaders(file, central);
        return new ArrayList<>(central.keySet());
    }

    private static final int LOC = 0x04034b50, CEN = 0x02014b50, EXT = 0x08074b50, EOCD = 0x06054b50, ZIP64_EOCD = 0x06064b50;

    /**
     * Walks the local headers in file order (the central directory's sizes say where each entry's data ends) and
     * holds each against its directory entry: name, method, CRC-32 and sizes (in the header or, when bit 3 of the
     * flags is set, in the data descriptor after the data), extra-field records that add up to the extra length.
     */
    private static void checkLocalHeaders(Path file, Map<String, ZipEntry> central) throws IOException {
        Map<String, Boolean> seen = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size(), pos = 0;
            while (true) {
                int sig = readInt(ch, pos, size, file);
                if (sig == CEN || sig == EOCD || sig == ZIP64_EOCD) break;
                if (sig != LOC) throw new IOException(file + ": damaged zip archive: no local header at byte " + pos);
                ByteBuffer h = read(ch, pos, 30, size, file);
                int flags = h.getShort(6) & 0xFFFF, method = h.getShort(8) & 0xFFFF;
                long crc = h.getInt(14) & 0xFFFFFFFFL, csize = h.getInt(18) & 0xFFFFFFFFL, usize = h.getInt(22) & 0xFFFFFFFFL;
                int nameLength = h.getShort(26) & 0xFFFF, extraLength = h.getShort(28) & 0xFFFF;
                ByteBuffer nameBytes = read(ch, pos + 30, nameLength, size, file);
                String name = ((flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).decode(nameBytes).toString();
                ZipEntry c = central.get(name);
                if (c == null || seen.put(name, true) != null) {
                    throw new IOException(file + ": damaged zip archive: the local header at byte " + pos + " names '" + name
                            + "', " + (c == null ? "which is not in the directory" : "a second time"));
                }
                if (method != c.getMethod()) throw corrupt(file, name, "has another method in its local header");
                boolean descriptor = (flags & 0x8) != 0;
                if (!matches(crc, c.getCrc(), descriptor) || !matches(csize, c.getCompressedSize(), descriptor)
                        || !matches(usize, c.getSize(), descriptor)) {
                    throw corrupt(file, name, "differs between its local header and the directory");
                }
                checkExtra(read(ch, pos + 30 + nameLength, extraLength, size, file), file, name);
                pos += 30 + nameLength + extraLength + c.getCompressedSize();
                if (descriptor) pos = skipDescriptor(ch, pos, size, c, file);
            }
        }
        if (seen.size() != central.size()) {
            throw new IOException(file + ": damaged zip archive: " + seen.size() + " local headers for " + central.size() + " directory entries");
        }
    }

    /** A local header's field equals the directory's, or is 0 (sizes follow the data) or 0xFFFFFFFF (in the zip64 extra). */
    private static boolean matches(long local, long central, boolean descriptor) {
        return local == central || (descriptor && local == 0) || local == 0xFFFFFFFFL;
    }

    private static void checkExtra(ByteBuffer extra, Path file, String name) throws IOException {
        int at = 0, n = extra.remaining();
        while (at < n) {
            if (at + 4 > n) throw corrupt(file, name, "has a truncated extra field");
            at += 4 + (extra.getShort(at + 2) & 0xFFFF);
        }
        if (at != n) throw corrupt(file, name, "has extra-field records longer than the extra field");
    }

    /** The data descriptor after an entry's data (optional signature, CRC-32, 4- or 8-byte sizes); its end. */
    private static long skipDescriptor(FileChannel ch, long pos, long size, ZipEntry c, Path file) throws IOException {
        if (readInt(ch, pos, size, file) == EXT) pos += 4;
        long crc = readInt(ch, pos, size, file) & 0xFFFFFFFFL;
        if (crc != c.getCrc()) throw corrupt(file, c.getName(), "has another CRC-32 in its data descriptor");
        for (int width : new int[] {4, 8}) {
            ByteBuffer b = read(ch, pos + 4, 2 * width, size, file);
            long cs = width == 4 ? b.getInt(0) & 0xFFFFFFFFL : b.getLong(0);
            long us = width == 4 ? b.getInt(4) & 0xFFFFFFFFL : b.getLong(8);
            if (cs == c.getCompressedSize() && us == c.getSize()) return pos + 4 + 2 * width;
        }
        throw corrupt(file, c.getName(), "has other sizes in its data descriptor");
    }

    private static int readInt(FileChannel ch, long pos, long size, Path file) throws IOException {
        return read(ch, pos, 4, size, file).getInt(0);
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n, long size, Path file) throws IOException {
        if (pos < 0 || pos + n > size) throw new IOException(file + ": damaged zip archive: a header runs past the end of the file");
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException(file + ": damaged zip archive: unexpected end of file");
        }
        return b.flip();
    }

    private static long digest(InputStream in, CRC32 crc) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; n += r) crc.update(buf, 0, r);
        return n;
    }

    private static IOException corrupt(Path file, String entry, String what) {
        return new IOException(file + ": corrupt archive: entry " + entry + " " + what);
    }
}
