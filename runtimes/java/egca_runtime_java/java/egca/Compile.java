package egca;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.*;
import javax.tools.*;
import com.sun.source.util.JavacTask;

/** javac in this process, in memory: sources are strings, classes are byte arrays. */
public final class Compile {
    public static final String PROGRAM_FILE = "Program.java";
    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();
    private static final List<String> OPTIONS = Arrays.asList("-proc:none", "-implicit:none", "-nowarn", "-Xlint:none",
            "-encoding", "UTF-8", "-g:source,lines", "-XDshould-stop.ifError=FLOW");

    public static final class Src extends SimpleJavaFileObject {
        public final String file, code;
        public Src(String file, String code) {
            super(URI.create("mem:///" + file), Kind.SOURCE);
            this.file = file;
            this.code = code;
        }
        @Override public CharSequence getCharContent(boolean ignore) { return code; }
        @Override public boolean isNameCompatible(String simpleName, Kind kind) { return true; }
        @Override public String getName() { return file; }
    }

    private static final class Out extends SimpleJavaFileObject {
        final String name;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Out(String name) {
            super(URI.create("mem:///" + name.replace('.', '/') + ".class"), Kind.CLASS);
            this.name = name;
        }
        @Override public OutputStream openOutputStream() { return bytes; }
    }

    /** One compiler error: the file, its message and where (char offsets, 1-based line and column). */
    public static final class Error {
        public final String file, message;
        public final long pos, start, end, line, col;
        Error(Diagnostic<? extends JavaFileObject> d) {
            file = d.getSource() == null ? "" : d.getSource().getName();
            message = d.getMessage(Locale.ROOT);
            pos = d.getPosition();
            start = d.getStartPosition();
            end = d.getEndPosition();
            line = d.getLineNumber();
            col = d.getColumnNumber();
        }
        Error(String message) {
            file = "";
            this.message = message;
            pos = start = end = line = col = -1;
        }
        @Override public String toString() { return (line > 0 ? "line " + line + ": " : "") + message; }
    }

    public static final class Result {
        public final Map<String, byte[]> classes = new LinkedHashMap<>();
        public final List<Error> errors = new ArrayList<>();
        public boolean ok() { return errors.isEmpty(); }
    }

    private static StandardJavaFileManager standard() {
        return JAVAC.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
    }

    public static Result compile(List<Src> sources) {
        Result res = new Result();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        List<Out> outs = new ArrayList<>();
        JavaFileManager fm = new ForwardingJavaFileManager<StandardJavaFileManager>(standard()) {
            @Override public JavaFileObject getJavaFileForOutput(Location loc, String name, JavaFileObject.Kind kind, FileObject sibling) {
                Out o = new Out(name);
                outs.add(o);
                return o;
            }
        };
        Boolean ok = JAVAC.getTask(null, fm, diags, OPTIONS, null, sources).call();
        for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) res.errors.add(new Error(d));
        }
        if (Boolean.TRUE.equals(ok) && res.errors.isEmpty()) {
            for (Out o : outs) res.classes.put(o.name, o.bytes.toByteArray());
        } else if (res.errors.isEmpty()) {
            res.errors.add(new Error("the compiler failed without a diagnostic"));
        }
        return res;
    }

    /** Syntax errors only (the parser's), per source. */
    public static List<Error> parseErrors(List<Src> sources) {
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try {
            ((JavacTask) JAVAC.getTask(null, standard(), diags, OPTIONS, null, sources)).parse();
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        List<Error> out = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) out.add(new Error(d));
        }
        return out;
    }

    /** UTF-8 byte offset of a char offset of s. */
    public static int byteOffset(String s, long charOffset) {
        int n = (int) Math.max(0, Math.min(charOffset, s.length()));
        return s.substring(0, n).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The kit's explicit range of an error in `source`: [sb, eb, sl, el, sc, ec]. */
    public static long[] range(String source, Error e) {
        long p = e.pos >= 0 ? e.pos : Math.max(0, e.start);
        if (e.start >= 0 && e.start < p && source.lastIndexOf('\n', (int) p - 1) < e.start) p = e.start;   // the whole construct
        int lineStart = source.lastIndexOf('\n', (int) Math.min(Math.max(p - 1, 0), source.length() - 1)) + 1;
        if (p == 0) lineStart = 0;
        int lineEnd = source.indexOf('\n', (int) Math.min(p, source.length()));
        if (lineEnd < 0) lineEnd = source.length();
        long end = e.end > p ? Math.min(e.end, lineEnd) : Math.min(p + 1, lineEnd);
        if (end <= p) end = Math.min(p + 1, source.length());
        int sb = byteOffset(source, p), eb = byteOffset(source, end), ls = byteOffset(source, lineStart);
        long line = e.line > 0 ? e.line : source.substring(0, (int) p).chars().filter(c -> c == '\n').count() + 1;
        return new long[]{sb, Math.max(eb, sb), line, line, sb - ls, Math.max(eb, sb) - ls};
    }

    /** Classes compiled in memory, loaded parent-first (the runtime and the JDK come first). */
    public static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes;
        public Loader(Map<String, byte[]> classes, ClassLoader parent) {
            super(parent);
            this.classes = classes;
        }
        @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }
        public boolean owns(Class<?> c) { return c.getClassLoader() == this; }
        /** A top-level class by simple name (the unnamed package first, else any package). */
        public Class<?> bySimpleName(String simple) {
            String found = classes.containsKey(simple) ? simple : null;
            if (found == null) {
                for (String n : classes.keySet()) if (n.endsWith("." + simple)) { found = n; break; }
            }
            if (found == null) return null;
            try {
                return Class.forName(found, false, this);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
    }
}
