package dev.seqtrain.nn;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two facts about C2's inlining that the kernels' speed depends on, and that no other test would
 * notice an edit breaking (the bits stay the same; only the speed falls). Both read bytecode lengths
 * with {@code javap}. C2 inlines a callee of at most {@code MaxInlineSize} (35 bytes) at any call
 * site, and one of at most {@code FreqInlineSize} (325 bytes) only at a call site it finds hot; both
 * limits are the same on every HotSpot since JDK 8.
 */
class InliningTest {
    private static final int MAX_INLINE_SIZE = 35;
    private static final int FREQ_INLINE_SIZE = 325;
    /** Values that live in vector registers (a species is a plain object). */
    private static final Pattern VECTOR_TYPE = Pattern.compile("jdk\\.incubator\\.vector\\.(\\w*Vector|VectorMask|VectorShuffle)\\b");

    /**
     * The activation loop must stay a method C2 compiles on its own (see {@code Activations.activate}):
     * inlined into a cell step, it pushed C2 past its node limit and left Vector API calls running
     * through their Java fallback, depending on compile order.
     */
    @Test
    void activationLoopIsTooLongForC2ToInline() {
        String listing = javap(Activations.class.getName());
        int length = codeLength(listing, "void activate(boolean, float[], int, float[], int, int)");
        assertTrue(length > FREQ_INLINE_SIZE, "Activations.activate has " + length + " bytes of bytecode; C2 inlines "
                + "hot methods up to " + FREQ_INLINE_SIZE + ", and inlined into a cell step it ran at a fraction of its speed");
    }

    /**
     * A method that takes or returns a vector must be short enough to be inlined everywhere: where C2
     * does not inline it, every vector crossing the call is boxed into a heap object (a partial-panel
     * store helper of 125 bytes cost 5–20% of a tanh RNN's step so; see {@code Gemm.store}).
     */
    @Test
    void everyMethodPassingAVectorIsShortEnoughToInlineAnywhere() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(Gemm.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/seqtrain/nn");
        java.util.List<String> classes = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .forEach(n -> classes.add("dev.seqtrain.nn." + n.substring(0, n.length() - ".class".length())));
        }
        String listing = javap(classes.toArray(new String[0]));
        Matcher m = Pattern.compile("^  (?:[\\w<>\\[\\], .$]+ )?[\\w$]+\\(([^)]*)\\)(?: throws [\\w., ]+)?;$", Pattern.MULTILINE)
                .matcher(listing);
        int checked = 0;
        while (m.find()) {
            String signature = m.group().trim();
            if (VECTOR_TYPE.matcher(signature).find()) {
                checked++;
                int length = codeLength(listing.substring(m.start()), signature.substring(0, signature.length() - 1));
                assertTrue(length <= MAX_INLINE_SIZE, signature + " has " + length + " bytes of bytecode, over C2's "
                        + MAX_INLINE_SIZE + " for a call site it finds cold: the vectors it passes would be boxed there");
            }
        }
        assertTrue(checked > 0, "found no method passing a vector (Gemm.addInto is one)");
    }

    private static String javap(String... classes) {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        StringWriter out = new StringWriter();
        String[] args = new String[4 + classes.length];
        args[0] = "-c";
        args[1] = "-p";
        args[2] = "-cp";
        args[3] = System.getProperty("java.class.path");
        System.arraycopy(classes, 0, args, 4, classes.length);
        int rc = javap.run(new PrintWriter(out), new PrintWriter(out), args);
        assertEquals(0, rc, out.toString());
        return out.toString();
    }

    /** The offset of the method's first instruction after its last, taking the last to be a one-byte return. */
    private static int codeLength(String listing, String signature) {
        int start = listing.indexOf(signature);
        assertTrue(start >= 0, "no " + signature + " in\n" + listing);
        int end = listing.indexOf("\n\n", start);
        String body = listing.substring(start, end < 0 ? listing.length() : end);
        Matcher m = Pattern.compile("^\\s+(\\d+): (\\w+)", Pattern.MULTILINE).matcher(body);
        int last = -1;
        String op = "";
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
            op = m.group(2);
        }
        assertTrue(op.endsWith("return"), "the method should end with a return:\n" + body);
        return last + 1;
    }
}
