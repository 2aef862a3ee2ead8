package egca;

import java.io.*;
import java.lang.reflect.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.SynchronousQueue;

/** The sandboxed, untrusted side of the Java runtime: compiles the program in this JVM
 *  (javax.tools, in memory) and either serves the trusted harness's calls (`serve`, Run)
 *  or runs one test of the instrumented program and writes its trace (`trace`).
 *
 *  serve: stdin carries the harness's lines, fd 3 goes back to the harness (never to the
 *  server). First {"t":"load","program","lines","deadline_s","seed"} -> {"t":"loaded"} |
 *  {"t":"compile_error",...}; then per line {"t":"new"|"call","n","cls","h","name","params",
 *  "args"} -> {"t":"ret","n","value","args"} | {"t":"exc","n","s","type","kind","msg","loc"}.
 *  trace: stdin is the job, fd 3 the server's channel (the kit's child protocol). */
public final class Child {
    static final Values EXACT = Values.exact();
    static OutputStream chan;
    static Compile.Loader loader;
    static long seed;
    static final Object WRITE = new Object();
    static volatile boolean busy;
    static volatile long callN = -1;
    static Thread program;
    static final SynchronousQueue<Runnable> WORK = new SynchronousQueue<>();

    public static void main(String[] args) throws Exception {
        chan = new FileOutputStream(fd(3));
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(new byte[0]));   // the program's stdin is empty
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        program = new Thread(null, Child::work, "main", 512L << 20);
        program.setDaemon(true);
        program.start();
        if (args.length > 0 && args[0].equals("trace")) trace(reader); else serve(reader);
        Tr.flush();
        Runtime.getRuntime().halt(0);
    }

    /** An inherited file descriptor (reopening /proc/self/fd/N is refused once the uid is dropped). */
    static FileDescriptor fd(int n) throws ReflectiveOperationException {
        FileDescriptor d = new FileDescriptor();
        Field f = FileDescriptor.class.getDeclaredField("fd");
        f.setAccessible(true);
        f.setInt(d, n);
        return d;
    }

    private static void work() {
        while (true) {
            try {
                WORK.take().run();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs `r` on the program's thread (a big stack) and waits for it. */
    static Throwable onProgramThread(ThrowingRunnable r) {
        Throwable[] failed = {null};
        Object done = new Object();
        boolean[] finished = {false};
        Runnable task = () -> {
            try {
                r.run();
            } catch (Throwable t) {
                failed[0] = t;
            } finally {
                synchronized (done) {
                    finished[0] = true;
                    done.notifyAll();
                }
            }
        };
        try {
            WORK.put(task);
            synchronized (done) {
                while (!finished[0]) done.wait();
            }
        } catch (InterruptedException e) {
            return e;
        }
        return failed[0];
    }

    interface ThrowingRunnable { void run() throws Throwable; }

    static void write(String line) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (WRITE) {
            try {
                chan.write(b);
                chan.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(70);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        if (!(o instanceof Map)) throw new IllegalArgumentException("not an object");
        return (Map<String, Object>) o;
    }

    static int[] ints(Object o) {
        List<?> l = (List<?>) o;
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).intValue();
        return out;
    }

    static String[] strs(Object o) {
        List<?> l = (List<?>) o;
        String[] out = new String[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = String.valueOf(l.get(i));
        return out;
    }

    /** Math.random() and friends start from the same seed before every test and call. */
    static void reseed() {
        try {
            Class<?> holder = Class.forName("java.lang.Math$RandomNumberGeneratorHolder");
            Field f = holder.getDeclaredField("randomNumberGenerator");
            f.setAccessible(true);
            ((Random) f.get(null)).setSeed(seed);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not opened (--add-opens): Math.random stays unseeded
        }
    }

    /** `onTimeout` runs `seconds` from now (on a daemon thread). */
    static void deadline(double seconds, Runnable onTimeout) {
        long at = System.nanoTime() + (long) (seconds * 1e9);
        Thread w = new Thread(() -> {
            long left;
            while ((left = at - System.nanoTime()) > 0) {
                try {
                    Thread.sleep(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            onTimeout.run();
        }, "egca-deadline");
        w.setDaemon(true);
        w.start();
    }

    static String errorLine(Compile.Error e, Object loc, String kind) {
        StringBuilder b = new StringBuilder("{\"t\":\"compile_error\",\"kind\":\"").append(kind).append("\",\"msg\":");
        Json.str(b, e.toString());
        b.append(",\"loc\":").append(loc);
        return b.append('}').toString();
    }

    static String locJson(long[] r) {
        return "[" + r[0] + "," + r[1] + "," + r[2] + "," + r[3] + "," + r[4] + "," + r[5] + "]";
    }

    // ------------------------------------------------------------------ Run: serve the harness

    static final List<Object> HANDLES = new ArrayList<>();
    static final IdentityHashMap<Object, Integer> HANDLE_OF = new IdentityHashMap<>();

    static void serve(BufferedReader reader) throws IOException {
        Map<String, Object> load = obj(Json.parse(reader.readLine()));
        String source = (String) load.get("program");
        Tr.LINES = ints(load.get("lines"));
        seed = ((Number) load.getOrDefault("seed", 0L)).longValue();
        Compile.Result res = Compile.compile(Collections.singletonList(new Compile.Src(Compile.PROGRAM_FILE, source)));
        if (!res.ok()) {
            Compile.Error first = res.errors.get(0);
            write(errorLine(first, locJson(Compile.range(source, first)), "CompileError"));
            return;
        }
        loader = new Compile.Loader(res.classes, Child.class.getClassLoader());
        EXACT.handles = new Values.Handles() {
            public int handle(Object o) {
                Integer h = HANDLE_OF.get(o);
                if (h == null) {
                    h = HANDLES.size();
                    HANDLES.add(o);
                    HANDLE_OF.put(o, h);
                }
                return h;
            }
            public boolean isProgram(Class<?> c) { return loader.owns(c); }
        };
        // The time limit is the program's, from here: compiling is bounded by the sandbox's clock.
        deadline(((Number) load.getOrDefault("deadline_s", 10.0)).doubleValue(), Child::servingTimedOut);
        write("{\"t\":\"loaded\"}");
        String line;
        while ((line = reader.readLine()) != null) {
            Map<String, Object> call = obj(Json.parse(line));
            callN = ((Number) call.get("n")).longValue();
            busy = true;
            String reply = answer(call);
            busy = false;
            write(reply);
        }
    }

    static void servingTimedOut() {
        if (!busy) return;
        int at = program == null ? -1 : Tr.locate(program.getStackTrace());
        write("{\"t\":\"exc\",\"n\":" + callN + ",\"s\":\"TIMEOUT\",\"kind\":\"Timeout\",\"msg\":\"the time limit ran out\",\"loc\":"
                + (at < 0 ? "null" : at) + "}");
        Runtime.getRuntime().halt(0);
    }

    static final Values.Resolver RESOLVER = new Values.Resolver() {
        public Object object(String type, List<?> fields, Values.TD target) {
            for (Object f : fields) {
                List<?> p = (List<?>) f;
                if ("@h".equals(p.get(0)) && p.get(1) instanceof Long) {
                    int h = ((Long) p.get(1)).intValue();
                    if (h >= 0 && h < HANDLES.size()) return HANDLES.get(h);
                }
            }
            return null;
        }
        public Class<?> classFor(String name) { return loader.bySimpleName(name); }
    };

    static boolean matches(Class<?>[] real, List<?> params) {
        if (real.length != params.size()) return false;
        for (int i = 0; i < real.length; i++) {
            Values.TD want = Values.parse(String.valueOf(params.get(i)));
            Class<?> c = real[i];
            int dims = 0;
            while (c.isArray()) { dims++; c = c.getComponentType(); }
            if (want.name.equals("Object") && want.dims == 0) continue;
            if (!want.name.equals(c.getSimpleName()) || want.dims != dims) return false;
        }
        return true;
    }

    static String answer(Map<String, Object> call) {
        long n = callN;
        String kind = String.valueOf(call.get("t"));
        Class<?> cls = loader.bySimpleName(String.valueOf(call.get("cls")));
        List<?> params = (List<?>) call.get("params");
        List<?> wire = (List<?>) call.get("args");
        if (cls == null) return exc(n, new NoClassDefFoundError(String.valueOf(call.get("cls"))));
        Executable target = null;
        if (kind.equals("new")) {
            for (Constructor<?> k : cls.getDeclaredConstructors()) if (matches(k.getParameterTypes(), params)) { target = k; break; }
        } else {
            String name = String.valueOf(call.get("name"));
            for (Class<?> k = cls; k != null && target == null; k = k.getSuperclass()) {
                for (Method m : k.getDeclaredMethods()) {
                    if (m.getName().equals(name) && !m.isBridge() && matches(m.getParameterTypes(), params)) { target = m; break; }
                }
            }
            if (target == null) {
                for (Method m : cls.getMethods()) {
                    if (m.getName().equals(name) && matches(m.getParameterTypes(), params)) { target = m; break; }
                }
            }
        }
        if (target == null) return exc(n, new NoSuchMethodError(cls.getSimpleName() + "." + call.get("name") + params));
        Type[] types = target.getGenericParameterTypes();
        Object[] args = new Object[types.length];
        try {
            for (int i = 0; i < args.length; i++) args[i] = Values.decode(wire.get(i), Values.of(types[i]), RESOLVER);
        } catch (RuntimeException e) {
            return exc(n, new IllegalArgumentException("arguments do not fit " + target + ": " + e.getMessage()));
        }
        Object receiver = null;
        if (call.get("h") != null) receiver = RESOLVER.object("", Collections.singletonList(Arrays.asList("@h", call.get("h"))), null);
        Object[] result = {null};
        Executable exe = target;
        Object self = receiver;
        Throwable failed = onProgramThread(() -> {
            exe.setAccessible(true);
            reseed();
            try {
                result[0] = exe instanceof Constructor ? ((Constructor<?>) exe).newInstance(args)
                        : ((Method) exe).invoke(Modifier.isStatic(exe.getModifiers()) ? null : self, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        if (failed != null) return exc(n, failed);
        StringBuilder b = new StringBuilder("{\"t\":\"ret\",\"n\":").append(n).append(",\"value\":");
        Throwable encFailed = onProgramThread(() -> {
            EXACT.enc(b, result[0], EXACT.depthCap);
            b.append(",\"args\":[");
            for (int i = 0; i < args.length; i++) {
                if (i > 0) b.append(',');
                EXACT.enc(b, args[i], EXACT.depthCap);
            }
            b.append("]}");
        });
        if (encFailed != null) return exc(n, encFailed);
        return b.toString();
    }

    static String exc(long n, Throwable t) {
        int at = Tr.locate(t.getStackTrace());
        StringBuilder b = new StringBuilder("{\"t\":\"exc\",\"n\":").append(n).append(",\"s\":\"ERROR\",\"type\":");
        Json.str(b, t.getClass().getName());
        b.append(",\"kind\":");
        Json.str(b, t.getClass().getSimpleName());
        b.append(",\"msg\":");
        String m = Tr.describe(t);
        Json.str(b, m.length() > 4000 ? m.substring(0, 4000) : m);
        return b.append(",\"loc\":").append(at < 0 ? "null" : String.valueOf(at)).append('}').toString();
    }

    // ------------------------------------------------------------------ Trace: one test, traced

    static volatile boolean tracing;

    static void trace(BufferedReader reader) throws Exception {
        StringBuilder all = new StringBuilder();
        char[] buf = new char[1 << 16];
        int k;
        while ((k = reader.read(buf)) > 0) all.append(buf, 0, k);
        Map<String, Object> job = obj(Json.parse(all.toString()));
        Tr.out = chan;
        Tr.LINES = ints(job.get("lines"));
        Tr.COND = ints(job.get("cond"));
        Tr.KIND = strs(job.get("kind"));
        Tr.FN = strs(job.get("fn"));
        Tr.FN_METHOD = strs(job.get("fn_method"));
        Tr.FN_RANGE = ints(job.get("fn_range"));
        List<?> names = (List<?>) job.get("names");
        Tr.NAMES = new String[names.size()][];
        for (int i = 0; i < names.size(); i++) Tr.NAMES[i] = strs(names.get(i));
        List<?> params = (List<?>) job.get("params");
        Tr.PARAMS = new String[params.size()][];
        for (int i = 0; i < params.size(); i++) Tr.PARAMS[i] = strs(params.get(i));
        Tr.maxEvents = ((Number) job.get("max_events")).intValue();
        seed = ((Number) job.getOrDefault("seed", 0L)).longValue();
        control("{\"t\":\"ready\"}");
        control("{\"t\":\"program\"}");
        String source = (String) job.get("program");
        Compile.Result res = Compile.compile(Arrays.asList(new Compile.Src(Compile.PROGRAM_FILE, source),
                new Compile.Src("Test.java", (String) job.get("test"))));
        if (!res.ok()) {
            Compile.Error first = res.errors.get(0);
            if (first.file.equals(Compile.PROGRAM_FILE)) {
                int at = Tr.stmtAt((int) first.line);
                control(errorLine(first, at < 0 ? "null" : String.valueOf(at), "CompileError"));
            } else {
                control("{\"t\":\"start\",\"i\":0}");
                control(result("ERROR", "CompileError", "the test does not compile against the program: " + first, -1));
            }
            control("{\"t\":\"done\"}");
            tracing = false;
            return;
        }
        loader = new Compile.Loader(res.classes, Child.class.getClassLoader());
        Class<?> main = loader.bySimpleName(String.valueOf(job.getOrDefault("main", "Main")));
        tracing = true;
        deadline(((Number) job.getOrDefault("deadline_s", 10.0)).doubleValue(), Child::traceTimedOut);
        control("{\"t\":\"start\",\"i\":0}");
        if (main == null) {
            control(result("ERROR", "NoMain", "the test has no class Main", -1));
            control("{\"t\":\"done\"}");
            tracing = false;
            return;
        }
        Throwable failed = onProgramThread(() -> {
            reseed();
            Method m = main.getDeclaredMethod("main", String[].class);
            m.setAccessible(true);
            try {
                m.invoke(null, (Object) new String[0]);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        String line;
        if (failed == null) {
            line = result("PASS", "", "", -1);
        } else if (fromProgram(failed)) {
            line = result("ERROR", failed.getClass().getSimpleName(), Tr.describe(failed), Tr.locate(failed.getStackTrace()));
        } else {
            line = result("FAIL", failed.getClass().getSimpleName(), Tr.describe(failed), -1);
        }
        synchronized (Tr.class) {
            if (!tracing) return;
            tracing = false;
            Tr.flush();
            control(line);
            control("{\"t\":\"done\"}");
        }
    }

    /** Did the exception start in the program (its first frame outside the JDK is the program's)? */
    static boolean fromProgram(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            String f = e.getFileName();
            if (Compile.PROGRAM_FILE.equals(f)) return true;
            if ("Test.java".equals(f)) return false;
        }
        return false;
    }

    static String result(String s, String kind, String msg, int loc) {
        StringBuilder b = new StringBuilder("{\"t\":\"result\",\"i\":0,\"s\":\"").append(s).append("\",\"kind\":");
        Json.str(b, kind);
        b.append(",\"msg\":");
        Json.str(b, msg.length() > 4000 ? msg.substring(0, 4000) : msg);
        b.append(",\"loc\":").append(loc < 0 ? "null" : String.valueOf(loc));
        b.append(",\"truncated\":").append(Tr.truncated);
        return b.append('}').toString();
    }

    static void control(String line) {
        synchronized (Tr.class) {
            Tr.flush();
            write(line);
        }
    }

    static void traceTimedOut() {
        synchronized (Tr.class) {
            if (!tracing) return;
            tracing = false;
            int at = Tr.locate(program.getStackTrace());
            Tr.flush();
            write(result("TIMEOUT", "Timeout", "the time limit ran out", at));
            write("{\"t\":\"done\"}");
        }
        Runtime.getRuntime().halt(0);
    }
}
