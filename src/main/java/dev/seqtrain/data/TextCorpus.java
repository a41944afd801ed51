package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;

import java.util.List;
import java.util.Map;

/**
 * Characters as a model's token ids: text encoded with a vocabulary (an unseen character is an error
 * naming it, or the unknown symbol), and characters described for messages.
 */
public final class TextCorpus {
    private TextCorpus() {
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
}
