package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character corpus: strict UTF-8 decoding (an invalid byte is an error naming its offset), the
 * vocabulary (distinct characters, sorted by code point), and training windows: sequences of
 * {@code T} characters starting every {@code stride} characters, each step's target being the next
 * character. Windows do not cross file boundaries.
 */
public final class TextCorpus {
    private TextCorpus() {
    }

    /** Decodes UTF-8, refusing malformed input with the byte offset where it starts. */
    public static String decode(byte[] bytes, String source) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        var result = d.decode(in, out, true);
        if (result.isError()) {
            throw new BadInputException(source + ": invalid UTF-8 at byte offset " + in.position());
        }
        d.flush(out);
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            out.flip();
            out.get();
            return out.toString();
        }
        return out.flip().toString();
    }

    /** Encodes text with a vocabulary map (code point → id); unknown characters are an error. */
    public static int[] encode(String text, Map<Integer, Integer> vocabulary, String source) {
        return encode(text, vocabulary, source, -1);
    }

    /** Encodes text; characters outside the vocabulary become {@code unknownId}, or are an error when it is negative. */
    public static int[] encode(String text, Map<Integer, Integer> vocabulary, String source, int unknownId) {
        int[] ids = new int[text.codePointCount(0, text.length())];
        int i = 0;
        for (int offset = 0; offset < text.length(); ) {
            int cp = text.codePointAt(offset);
            Integer id = vocabulary.get(cp);
            if (id == null && unknownId >= 0) {
                id = unknownId;
            }
            if (id == null) {
                throw new BadInputException(source + ": character " + describe(cp) + " at position " + i
                        + " is not in the model's vocabulary (train with data.unknownChar to map such characters to one symbol)");
            }
            ids[i++] = id;
            offset += Character.charCount(cp);
        }
        return ids;
    }

    /**
     * Encodes text with a model's vocabulary (index = token id); characters outside it map to
     * {@code unknownToken}, or are an error when that is null.
     */
    public static int[] encode(String text, List<String> vocabulary, String unknownToken, String source) {
        Map<Integer, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            index.put(vocabulary.get(i).codePointAt(0), i);
        }
        return encode(text, index, source, unknownToken == null ? -1 : vocabulary.indexOf(unknownToken));
    }

    public static String describe(int cp) {
        return Character.isISOControl(cp) || Character.isWhitespace(cp)
                ? String.format("U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "' (U+" + String.format("%04X", cp) + ")";
    }

    /** Training windows over one file's ids. */
    public static List<SequenceExample> windows(int[] ids, int length, int stride) {
        List<SequenceExample> out = new ArrayList<>();
        for (int start = 0; start + length + 1 <= ids.length; start += stride) {
            int[] x = new int[length];
            int[] y = new int[length];
            System.arraycopy(ids, start, x, 0, length);
            System.arraycopy(ids, start + 1, y, 0, length);
            out.add(new SequenceExample(length, null, x, SequenceExample.NO_LABEL, y, null));
        }
        return out;
    }
}
