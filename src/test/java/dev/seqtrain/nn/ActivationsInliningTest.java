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
 * The activation loop must stay a method C2 compiles on its own (see {@code Activations.activate}):
 * C2 does not inline a hot callee whose bytecode is longer than {@code FreqInlineSize}, 325 bytes
 * on every HotSpot since JDK 8. An edit that shrinks the method below that would bring back the
 * compile-order-dependent slow steps without failing any other test, so this one reads the method's
 * bytecode length with {@code javap}.
 */
class ActivationsInliningTest {
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void activationLoopIsTooLongForC2ToInline() {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = javap.run(new PrintWriter(out), new PrintWriter(out), "-c", "-p", "-cp",
                System.getProperty("java.class.path"), Activations.class.getName());
        assertEquals(0, rc, out.toString());
        int length = codeLength(out.toString(), "void activate(boolean, float[], int, float[], int, int)");
        assertTrue(length > FREQ_INLINE_SIZE, "Activations.activate has " + length + " bytes of bytecode; C2 inlines "
                + "hot methods up to " + FREQ_INLINE_SIZE + ", and inlined into a cell step it ran at a fraction of its speed");
    }

    /** The offset of the method's last instruction plus one (its last instruction is a one-byte return). */
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
        assertEquals("return", op, "the method should end with a return:\n" + body);
        return last + 1;
    }
}
