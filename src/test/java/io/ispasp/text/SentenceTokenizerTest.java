package io.ispasp.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer gives the ids of the model's tokenizer.json: checked against a second, plain implementation of
 * BERT's uncased WordPiece (lower-case, split on spaces and punctuation, greedy longest match with "##"
 * continuations) over the vocabulary read from the same file, on real sentences.
 */
class SentenceTokenizerTest {
    static final Path TOKENIZER = Path.of("datasets/minilm/all-minilm-l6-v2-tokenizer.json");
    static Map<String, Long> vocab;

    @TempDir Path dir;

    @BeforeAll
    static void readVocabulary() throws IOException {
        if (!Files.isRegularFile(TOKENIZER)) return;
        JsonNode v = new ObjectMapper().readTree(TOKENIZER.toFile()).path("model").path("vocab");
        vocab = new HashMap<>();
        v.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asLong()));
    }

    /** The second implementation: ASCII sentences only (no accents or Chinese characters to handle). */
    static List<Long> wordPiece(String sentence) {
        List<Long> ids = new ArrayList<>(List.of(vocab.get("[CLS]")));
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (char c : sentence.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean punct = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
            if (Character.isWhitespace(c) || punct) {
                if (word.length() > 0) words.add(word.toString());
                word.setLength(0);
                if (punct) words.add(String.valueOf(c));
            } else {
                word.append(c);
            }
        }
        if (word.length() > 0) words.add(word.toString());
        for (String w : words) {
            List<Long> pieces = new ArrayList<>();
            int start = 0;
            while (start < w.length()) {
                int end = w.length();
                Long id = null;
                while (end > start) {
                    String piece = (start > 0 ? "##" : "") + w.substring(start, end);
                    id = vocab.get(piece);
                    if (id != null) break;
                    end--;
                }
                if (id == null) { pieces = List.of(vocab.get("[UNK]")); break; }
                pieces.add(id);
                start = end;
            }
            ids.addAll(pieces);
        }
        ids.add(vocab.get("[SEP]"));
        return ids;
    }

    @Test
    void idsEqualAPlainWordPieceOnRealSentences() throws IOException {
        assumeTrue(vocab != null, "run datasets/fetch-minilm.sh to include the real tokenizer");
        List<String> sentences = List.of(
                "The race is not always to the swift, nor the battle to the strong, but that's the way to bet.",
                "Boling's postulate: If you're feeling good, don't worry. You'll get over it.",
                "Tokenization of unbelievably uncommonplace words splits them into pieces!",
                "Cohn's Law: The more time you spend in reporting on what you are doing, the less time you have.",
                "a");
        try (SentenceTokenizer tok = SentenceTokenizer.open(TOKENIZER, 512)) {
            TokenBatch batch = tok.encode(sentences);
            assertEquals(sentences.size(), batch.sentences());
            long real = 0;
            for (int i = 0; i < sentences.size(); i++) {
                List<Long> expected = wordPiece(sentences.get(i));
                real += expected.size();
                for (int t = 0; t < batch.length(); t++) {
                    boolean inside = t < expected.size();
                    assertEquals(inside ? expected.get(t) : 0L, batch.ids()[i][t], "sentence " + i + " token " + t + " " + tok.tokens(sentences.get(i)));
                    assertEquals(inside ? 1L : 0L, batch.mask()[i][t]);
                    assertEquals(0L, batch.types()[i][t]);
                }
            }
            assertEquals(real, batch.tokens());
            assertTrue(tok.tokens(sentences.get(2)).stream().anyMatch(s -> s.startsWith("##")), "a word split into pieces is covered");
        }
    }

    @Test
    void longSentencesAreCutAtTheLimitKeepingSep() throws IOException {
        assumeTrue(vocab != null, "run datasets/fetch-minilm.sh to include the real tokenizer");
        String longSentence = "the cat sat on the mat ".repeat(40);
        try (SentenceTokenizer tok = SentenceTokenizer.open(TOKENIZER, 16)) {
            TokenBatch batch = tok.encode(List.of(longSentence, "the cat"));
            assertEquals(16, batch.length());
            List<Long> full = wordPiece(longSentence);
            long[] expected = new long[16];
            for (int t = 0; t < 15; t++) expected[t] = full.get(t);
            expected[15] = vocab.get("[SEP]");
            assertArrayEquals(expected, batch.ids()[0]);
            assertEquals(4, batch.tokens() - 16, "the short sentence keeps its 4 tokens, padded to 16");
        }
    }

    @Test
    void aMissingOrBrokenTokenizerFileIsRefusedNamingIt() throws IOException {
        Path missing = dir.resolve("none.json");
        assertThrows(NoSuchFileException.class, () -> SentenceTokenizer.open(missing, 128));
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": 3}");
        IOException e = assertThrows(IOException.class, () -> SentenceTokenizer.open(broken, 128));
        assertTrue(e.getMessage().startsWith(broken.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentenceTokenizer.open(broken, 1));
    }
}
