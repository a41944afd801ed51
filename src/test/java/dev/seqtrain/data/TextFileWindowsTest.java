package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** evaluate's text windows: back to back, never across files, over the characters training reads. */
class TextFileWindowsTest {
    private static final List<String> VOCABULARY = List.of("\n", "a", "b", "c", "d", "?");

    @TempDir
    Path dir;

    @Test
    void windowsAreBackToBackWithinEachFileOverTrainingsCharacters() throws Exception {
        // A byte-order mark and "\r\n" are no characters of their own, as in training.
        Files.write(dir.resolve("1.txt"), "\uFEFFab\r\ncd".getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("2.txt"), "abcabc");
        List<String> got = new ArrayList<>();
        new TextFileWindows(dir.toString(), VOCABULARY, null, 2, new Configuration())
                .forEachRemaining(e -> got.add(Arrays.toString(e.tokens()) + Arrays.toString(e.stepLabels())));
        // 1.txt: a b \n c d -> [a b|b \n], [\n c|c d]; 2.txt: a b c a b c -> [a b|b c], [c a|a b]; its last 'c' starts no window.
        assertEquals(List.of("[1, 2][2, 0]", "[0, 3][3, 4]", "[1, 2][2, 3]", "[3, 1][1, 2]"), got);
    }

    @Test
    void anUnseenCharacterIsAnErrorNamingItOrTheUnknownSymbol() throws Exception {
        Path f = dir.resolve("z.txt");
        Files.writeString(f, "ab\u00e9zcd");
        BadInputException e = assertThrows(BadInputException.class,
                () -> new TextFileWindows(f.toString(), VOCABULARY, null, 2, new Configuration()).forEachRemaining(w -> { }));
        assertTrue(e.getMessage().contains("z.txt: character '\u00e9' (U+00E9) at position 2 (byte offset 2) is not in the model's"
                + " vocabulary"), e.getMessage());
        List<String> got = new ArrayList<>();
        new TextFileWindows(f.toString(), VOCABULARY, "?", 2, new Configuration())
                .forEachRemaining(w -> got.add(Arrays.toString(w.tokens())));
        assertEquals(List.of("[1, 2]", "[5, 5]"), got);
    }
}
