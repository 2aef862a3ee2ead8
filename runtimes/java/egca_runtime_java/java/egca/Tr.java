package egca;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/** The trace runtime the instrumented program calls (egca_runtime_java.instrument): it writes
 *  the kit's events (S, C, R, X, B) on the channel, in blocks. Statement k's bindings are
 *  named by NAMES[k]; only the bindings whose encoding changed since the frame's last event
 *  are reported. */
public final class Tr {
    static String[][] NAMES = new String[0][];    // statement -> names of the values it reports
    static int[] COND = new int[0];               // statement -> range index of its condition
    static String[] KIND = new String[0];         // statement -> branch kind
    static String[] FN = new String[0];           // function -> source name
    static String[] FN_METHOD = new String[0];    // function -> JVM method name (<init> for constructors)
    static String[][] PARAMS = new String[0][];   // function -> parameter names
    static int[] FN_RANGE = new int[0];           // function -> range index of its header
    static int[] LINES = new int[0];              // line -> statement
    static int maxEvents = 20000;
    static int events;
    static boolean truncated;
    static final Values V = Values.trace();
    static final StringBuilder BUF = new StringBuilder(1 << 16);
    static OutputStream out;
    static int depth, nextFrame;
    static final Map<Integer, Frame> FRAMES = new HashMap<>();
    static final IdentityHashMap<Throwable, Integer> CURSOR = new IdentityHashMap<>();

    static final class Frame {
        final int fn, depth;
        final HashMap<String, String> last = new HashMap<>();
        boolean returned;
        Throwable thrown;
        Frame(int fn, int depth) { this.fn = fn; this.depth = depth; }
    }

    private Tr() { }

    static synchronized void flush() {
        if (BUF.length() == 0 || out == null) return;
        byte[] b = BUF.toString().getBytes(StandardCharsets.UTF_8);
        BUF.setLength(0);
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            Runtime.getRuntime().halt(70);
        }
    }

    private static boolean room() {
        if (events >= maxEvents) {
            truncated = true;
            return false;
        }
        events++;
        return true;
    }

    private static void line(String s) {
        synchronized (Tr.class) {
            BUF.append(s).append('\n');
            if (BUF.length() > (1 << 16)) flush();
        }
    }

    private static void bindings(StringBuilder b, Frame fr, String[] names, Object[] vals) {
        b.append('[');
        boolean first = true;
        int n = Math.min(names.length, vals.length);
        for (int i = 0; i < n; i++) {
            String e = V.enc(vals[i]);
            if (e.equals(fr.last.put(names[i], e))) continue;
            if (!first) b.append(',');
            first = false;
            b.append('[');
            Json.str(b, names[i]);
            b.append(',').append(e).append(']');
        }
        b.append(']');
    }

    /** CALL: a function of the program is entered; returns the frame. */
    public static int c(int fn, Object... args) {
        int f = nextFrame++;
        depth++;
        Frame fr = new Frame(fn, depth);
        FRAMES.put(f, fr);
        if (room()) {
            StringBuilder b = new StringBuilder("[\"C\",").append(FN_RANGE[fn]).append(',').append(f).append(',').append(depth).append(',');
            Json.str(b, FN[fn]);
            b.append(',');
            bindings(b, fr, PARAMS[fn], args);
            line(b.append(']').toString());
        }
        return f;
    }

    private static void step(Frame fr, int f, int k, Object[] vals) {
        if (!room()) {
            for (int i = 0; i < Math.min(NAMES[k].length, vals.length); i++) fr.last.remove(NAMES[k][i]);
            return;
        }
        StringBuilder b = new StringBuilder("[\"S\",").append(k).append(',').append(f).append(',').append(fr.depth).append(',');
        bindings(b, fr, NAMES[k], vals);
        line(b.append(']').toString());
    }

    /** STEP: statement k finished; vals are the values of NAMES[k]. */
    public static void s(int f, int k, Object... vals) {
        Frame fr = FRAMES.get(f);
        if (fr != null) step(fr, f, k, vals);
    }

    /** The header of statement k decided its condition: STEP, then BRANCH. */
    public static boolean b(int f, int k, boolean cond, Object... vals) {
        Frame fr = FRAMES.get(f);
        if (fr != null) {
            step(fr, f, k, vals);
            if (room()) line("[\"B\"," + COND[k] + "," + f + "," + fr.depth + "," + cond + ",\"" + KIND[k] + "\"]");
        }
        return cond;
    }

    /** `return v;` at statement k. */
    public static <T> T r(int f, int k, T v, Object... vals) {
        Frame fr = FRAMES.get(f);
        if (fr != null) {
            step(fr, f, k, vals);
            fr.returned = true;
            if (room()) line("[\"R\"," + k + "," + f + "," + fr.depth + "," + V.enc(v) + "]");
        }
        return v;
    }

    /** `return;` at statement k. */
    public static void rv(int f, int k, Object... vals) {
        Frame fr = FRAMES.get(f);
        if (fr != null) {
            step(fr, f, k, vals);
            fr.returned = true;
            if (room()) line("[\"R\"," + k + "," + f + "," + fr.depth + ",null]");
        }
    }

    /** An exception propagates out of frame f. */
    public static void x(int f, Throwable t) {
        Frame fr = FRAMES.get(f);
        if (fr == null || fr.thrown == t) return;
        fr.thrown = t;
        int at = where(t, FN_METHOD[fr.fn]);
        if (room()) {
            StringBuilder b = new StringBuilder("[\"X\",").append(at < 0 ? "null" : String.valueOf(at)).append(',')
                    .append(f).append(',').append(fr.depth).append(',');
            Json.str(b, describe(t));
            line(b.append(']').toString());
        }
    }

    /** The frame ends (finally): a RETURN of nothing if it fell off its end. */
    public static void e(int f) {
        Frame fr = FRAMES.remove(f);
        depth--;
        if (fr != null && !fr.returned && fr.thrown == null && room()) {
            line("[\"R\"," + FN_RANGE[fr.fn] + "," + f + "," + fr.depth + ",null]");
        }
    }

    public static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The statement of the next program frame of t running `method` (each frame the exception leaves takes the next). */
    static int where(Throwable t, String method) {
        StackTraceElement[] st = t.getStackTrace();
        Integer from = CURSOR.get(t);
        for (int i = from == null ? 0 : from; i < st.length; i++) {
            if (Compile.PROGRAM_FILE.equals(st[i].getFileName()) && st[i].getMethodName().equals(method)) {
                CURSOR.put(t, i + 1);
                return stmtAt(st[i].getLineNumber());
            }
        }
        return -1;
    }

    public static int stmtAt(int line) {
        return line > 0 && line < LINES.length ? LINES[line] : -1;
    }

    /** The statement of the innermost program frame of a stack (-1: none). */
    public static int locate(StackTraceElement[] st) {
        for (StackTraceElement e : st) {
            if (Compile.PROGRAM_FILE.equals(e.getFileName())) return stmtAt(e.getLineNumber());
        }
        return -1;
    }
}
