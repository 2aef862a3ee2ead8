"""Writes suite.json: the Java runtime's conformance programs (docs/RUNTIMES.md,
"The conformance suite"). `python runtimes/java/conformance/make_suite.py`."""

import json
from pathlib import Path


def T(body: str, imports: str = "import java.util.*;\n", members: str = "") -> str:
    """A test case: a compilation unit whose class Main checks something in main."""
    lines = "\n".join("        " + ln for ln in body.strip().split("\n"))
    return f"{imports}\npublic class Main {{\n{members}    public static void main(String[] args) throws Exception {{\n{lines}\n    }}\n}}\n"


def check(call: str, expected: str) -> str:
    label = call.replace("\\", "\\\\").replace('"', '\\"')
    return T(f"Solution s = new Solution();\nif (!java.util.Objects.equals({call}, {expected})) throw new AssertionError(\"{label}\");")


def cov(name, program, tests, mutant_from, mutant_to):
    assert program.count(mutant_from) == 1, name
    return {"name": name, "program": program, "tests": tests, "mutant": program.replace(mutant_from, mutant_to),
            "entry_points": []}


ADD = "class Solution {\n    public int add(int a, int b) {\n        return a + b;\n    }\n}\n"
ADD_TESTS = [check("s.add(2, 3)", "5"), check("s.add(10, -4)", "6")]


def hack(name, program, tests=None):
    return {"name": name, "program": program, "tests": tests or ADD_TESTS, "entry_points": []}


def solution(body: str, imports: str = "import java.util.*;\n", extra: str = "") -> str:
    lines = "\n".join("        " + ln for ln in body.strip().split("\n"))
    return f"{imports}\nclass Solution {{\n    public int add(int a, int b) {{\n{lines}\n    }}\n{extra}}}\n"


suite = {
    "language": "java",
    "step": {
        "program": "class Solution {\n    int f(int a) {\n        int x = a + 2;\n        return x;\n    }\n}\n",
        "test": check("s.f(3)", "5"), "line": 3, "binding": {"name": "x", "value": 5}},
    "call_return": {"program": ADD, "test": ADD_TESTS[0], "function": "add", "args": [2, 3], "returns": 5},
    "branch": {"what": "branch outcome",
               "program": "class Solution {\n    int sign(int x) {\n        if (x > 0) {\n            return 1;\n        }\n"
                          "        return -1;\n    }\n}\n",
               "test": check("s.sign(-4)", "-1"), "line": 3, "taken": [False]},
    "loop": {"what": "a loop's branch outcomes",
             "program": "class Solution {\n    int count(int n) {\n        int i = 0;\n        while (i < n) {\n"
                        "            i++;\n        }\n        return i;\n    }\n}\n",
             "test": check("s.count(2)", "2"), "line": 4, "taken": [True, True, False]},
    "exception": {"program": "class Solution {\n    int f(int[] xs) {\n        int total = 0;\n        return xs[5];\n    }\n}\n",
                  "test": check("s.f(new int[]{1, 2})", "0"), "line": 4},
    "compile_error": {"program": "class Solution {\n    int f(int x) {\n        int y = x + ;\n        return y;\n    }\n}\n",
                      "test": check("s.f(1)", "1"), "line": 3},
    "timeout": {"program": "class Solution {\n    void spin(int n) {\n        int i = 0;\n        while (true) {\n"
                           "            i++;\n        }\n    }\n}\n",
                "test": T("new Solution().spin(1);"), "lines": [4, 5]},
    "output_cap": {"program": "class Solution {\n    int f() {\n        System.out.print(\"x\".repeat(100000));\n        return 1;\n    }\n}\n",
                   "test": check("s.f()", "1")},
    "event_cap": {"program": "class Solution {\n    long f(int n) {\n        long s = 0;\n        for (int i = 0; i < n; i++) {\n"
                             "            s += i;\n        }\n        return s;\n    }\n}\n",
                  "test": check("s.f(10000)", "49995000L")},
    "memory_cap": {"program": "class Solution {\n    int f() {\n        byte[] xs = new byte[1 << 30];\n        return xs.length;\n    }\n}\n",
                   "test": check("s.f()", "1 << 30")},
    "invalid": {"program": ADD, "test": ADD_TESTS[0]},
    "determinism": {
        "program": "import java.util.*;\nclass Solution {\n    List<Integer> f(List<Integer> xs) {\n"
                   "        List<Integer> ys = new ArrayList<>(xs);\n        Collections.sort(ys);\n"
                   "        double noise = Math.random();\n        int pick = new Random().nextInt(100);\n        return ys;\n    }\n}\n",
        "test": T("Random r = new Random();\nList<Integer> xs = new ArrayList<>();\nfor (int i = 0; i < 20; i++) xs.add(r.nextInt(100));\n"
                  "List<Integer> ys = new ArrayList<>(xs);\nCollections.sort(ys);\n"
                  "if (!new Solution().f(xs).equals(ys)) throw new AssertionError();\n"
                  "Set<String> seen = new HashSet<>();\nfor (int i = 0; i < 50; i++) seen.add(String.valueOf(Math.random()));\n"
                  "if (seen.size() != 50) throw new AssertionError();")},
}

# ---------------------------------------------------------------- coverage: one program per construct
C = []
C.append(cov("class with fields and methods",
             "class Counter {\n    private int n;\n    void add(int k) {\n        n += k;\n    }\n    int get() {\n        return n;\n    }\n}\n"
             "class Solution {\n    int total(int[] xs) {\n        Counter c = new Counter();\n        for (int x : xs) {\n            c.add(x);\n"
             "        }\n        return c.get();\n    }\n}\n",
             [check("s.total(new int[]{1, 2, 3})", "6")], "n += k;", "n += k + 1;"))
C.append(cov("interface and implementations",
             "interface Shape {\n    double area();\n}\nclass Sq implements Shape {\n    final double a;\n    Sq(double a) { this.a = a; }\n"
             "    public double area() {\n        return a * a;\n    }\n}\nclass Solution {\n    double sum(double[] sides) {\n"
             "        double t = 0;\n        for (double d : sides) {\n            Shape s = new Sq(d);\n            t += s.area();\n        }\n"
             "        return t;\n    }\n}\n",
             [check("s.sum(new double[]{1.0, 2.0})", "5.0")], "return a * a;", "return a + a;"))
C.append(cov("generic method and class",
             "import java.util.*;\nclass Box<T> {\n    private final T v;\n    Box(T v) { this.v = v; }\n    T get() { return v; }\n}\n"
             "class Solution {\n    <T extends Comparable<T>> T max(List<T> xs) {\n        T best = xs.get(0);\n        for (T x : xs) {\n"
             "            if (x.compareTo(best) > 0) {\n                best = x;\n            }\n        }\n        return new Box<>(best).get();\n    }\n}\n",
             [check("s.max(Arrays.asList(3, 9, 2))", "9"), check("s.max(Arrays.asList(\"b\", \"a\"))", "\"b\"")],
             "x.compareTo(best) > 0", "x.compareTo(best) < 0"))
C.append(cov("lambdas and streams",
             "import java.util.*;\nimport java.util.stream.*;\nclass Solution {\n    List<Integer> evensSquared(List<Integer> xs) {\n"
             "        return xs.stream().filter(x -> x % 2 == 0).map(x -> x * x).collect(Collectors.toList());\n    }\n}\n",
             [check("s.evensSquared(Arrays.asList(1, 2, 3, 4))", "Arrays.asList(4, 16)")], "x % 2 == 0", "x % 2 == 1"))
C.append(cov("enhanced for over a list",
             "import java.util.*;\nclass Solution {\n    int longest(List<String> words) {\n        int best = 0;\n        for (String w : words) {\n"
             "            best = Math.max(best, w.length());\n        }\n        return best;\n    }\n}\n",
             [check("s.longest(Arrays.asList(\"a\", \"abc\", \"ab\"))", "3")], "Math.max(best, w.length())", "Math.min(best, w.length())"))
C.append(cov("switch statement and arrow switch",
             "class Solution {\n    String name(int d) {\n        String out;\n        switch (d) {\n            case 0:\n                out = \"zero\";\n"
             "                break;\n            case 1:\n                out = \"one\";\n                break;\n            default:\n                out = \"many\";\n"
             "        }\n        return out + switch (d % 2) { case 0 -> \"!\"; default -> \"?\"; };\n    }\n}\n",
             [check("s.name(0)", "\"zero!\""), check("s.name(1)", "\"one?\""), check("s.name(4)", "\"many!\"")],
             "out = \"one\";", "out = \"uno\";"))
C.append(cov("try/catch/finally",
             "import java.util.*;\nclass Solution {\n    List<String> parse(String s) {\n        List<String> log = new ArrayList<>();\n        try {\n"
             "            int v = Integer.parseInt(s);\n            log.add(\"ok \" + v);\n        } catch (NumberFormatException e) {\n"
             "            log.add(\"bad\");\n        } finally {\n            log.add(\"done\");\n        }\n        return log;\n    }\n}\n",
             [check("s.parse(\"12\")", "Arrays.asList(\"ok 12\", \"done\")"), check("s.parse(\"x\")", "Arrays.asList(\"bad\", \"done\")")],
             "log.add(\"bad\");", "log.add(\"error\");"))
C.append(cov("static nested class",
             "class Solution {\n    static class Pair {\n        final int a, b;\n        Pair(int a, int b) { this.a = a; this.b = b; }\n"
             "        int sum() { return a + b; }\n    }\n    int f(int x) {\n        Pair p = new Pair(x, x * 2);\n        return p.sum();\n    }\n}\n",
             [check("s.f(3)", "9")], "return a + b;", "return a - b;"))
C.append(cov("recursion",
             "class Solution {\n    long fib(int n) {\n        if (n < 2) {\n            return n;\n        }\n        return fib(n - 1) + fib(n - 2);\n    }\n}\n",
             [check("s.fib(10)", "55L")], "fib(n - 1) + fib(n - 2)", "fib(n - 1) + fib(n - 3)"))
C.append(cov("StringBuilder",
             "class Solution {\n    String reverse(String s) {\n        StringBuilder sb = new StringBuilder();\n        for (int i = s.length() - 1; i >= 0; i--) {\n"
             "            sb.append(s.charAt(i));\n        }\n        return sb.toString();\n    }\n}\n",
             [check("s.reverse(\"abc\")", "\"cba\"")], "i >= 0", "i > 0"))
C.append(cov("collections: map, set, deque",
             "import java.util.*;\nclass Solution {\n    Map<String, Integer> count(List<String> xs) {\n        Map<String, Integer> m = new TreeMap<>();\n"
             "        Set<String> seen = new HashSet<>();\n        Deque<String> q = new ArrayDeque<>(xs);\n        while (!q.isEmpty()) {\n"
             "            String x = q.poll();\n            seen.add(x);\n            m.put(x, m.getOrDefault(x, 0) + 1);\n        }\n        return m;\n    }\n}\n",
             [T("Map<String, Integer> want = new HashMap<>();\nwant.put(\"a\", 2);\nwant.put(\"b\", 1);\n"
                "if (!new Solution().count(Arrays.asList(\"a\", \"b\", \"a\")).equals(want)) throw new AssertionError();")],
             "m.getOrDefault(x, 0) + 1", "m.getOrDefault(x, 1) + 1"))
C.append(cov("do-while and labeled break",
             "class Solution {\n    int firstPair(int[][] g, int t) {\n        int found = -1;\n        outer:\n        for (int i = 0; i < g.length; i++) {\n"
             "            int j = 0;\n            do {\n                if (g[i][j] == t) {\n                    found = i * 10 + j;\n                    break outer;\n"
             "                }\n                j++;\n            } while (j < g[i].length);\n        }\n        return found;\n    }\n}\n",
             [check("s.firstPair(new int[][]{{1, 2}, {3, 4}}, 2)", "1"), check("s.firstPair(new int[][]{{1}}, 7)", "-1")],
             "found = i * 10 + j;", "found = j * 10 + i;"))
C.append(cov("ternary, char arithmetic, arrays out",
             "class Solution {\n    char[] shift(String s, int k) {\n        char[] out = new char[s.length()];\n        for (int i = 0; i < s.length(); i++) {\n"
             "            char c = s.charAt(i);\n            out[i] = Character.isLetter(c) ? (char) ('a' + (c - 'a' + k) % 26) : c;\n        }\n        return out;\n    }\n}\n",
             [T("if (!Arrays.equals(new Solution().shift(\"az b\", 1), \"ba c\".toCharArray())) throw new AssertionError();")],
             "(c - 'a' + k) % 26", "(c - 'a' + k) % 25"))
C.append(cov("enum, record and Optional",
             "import java.util.*;\nenum Op { ADD, MUL }\nrecord Term(Op op, int v) {}\nclass Solution {\n    Optional<Integer> eval(int start, int[] ops, int[] vs) {\n"
             "        if (ops.length == 0) {\n            return Optional.empty();\n        }\n        int acc = start;\n        for (int i = 0; i < ops.length; i++) {\n"
             "            Term t = new Term(Op.values()[ops[i]], vs[i]);\n            acc = t.op() == Op.ADD ? acc + t.v() : acc * t.v();\n        }\n"
             "        return Optional.of(acc);\n    }\n}\n",
             [check("s.eval(2, new int[]{0, 1}, new int[]{3, 4})", "Optional.of(20)"), check("s.eval(2, new int[]{}, new int[]{})", "Optional.empty()")],
             "acc + t.v()", "acc - t.v()"))
C.append(cov("inheritance, abstract class, anonymous class",
             "abstract class Animal {\n    abstract String sound();\n    String speak(int n) {\n        return sound().repeat(n);\n    }\n}\n"
             "class Dog extends Animal {\n    String sound() {\n        return \"wo\";\n    }\n}\nclass Solution {\n    String talk(int n) {\n"
             "        Animal cat = new Animal() {\n            String sound() { return \"me\"; }\n        };\n        return new Dog().speak(n) + cat.speak(1);\n    }\n}\n",
             [check("s.talk(2)", "\"wowome\"")], "return \"wo\";", "return \"wa\";"))
C.append(cov("custom exception thrown and caught, varargs",
             "class Empty extends RuntimeException {\n    Empty(String m) { super(m); }\n}\nclass Solution {\n    int max(int... xs) {\n"
             "        if (xs.length == 0) {\n            throw new Empty(\"no values\");\n        }\n        int m = xs[0];\n        for (int x : xs) {\n"
             "            m = Math.max(m, x);\n        }\n        return m;\n    }\n    int safeMax(int[] xs) {\n        try {\n            return max(xs);\n"
             "        } catch (Empty e) {\n            return -1;\n        }\n    }\n}\n",
             [check("s.safeMax(new int[]{4, 8, 1})", "8"), check("s.safeMax(new int[]{})", "-1")], "return -1;", "return 0;"))
C.append(cov("long arithmetic, static method, 2D arrays",
             "class Solution {\n    static long trace(long[][] m) {\n        long t = 0;\n        for (int i = 0; i < m.length; i++) {\n            t += m[i][i];\n        }\n"
             "        return t;\n    }\n}\n",
             [T("if (Solution.trace(new long[][]{{1L, 2L}, {3L, 4000000000L}}) != 4000000001L) throw new AssertionError();")],
             "t += m[i][i];", "t += m[i][0];"))
C.append(cov("object of the program used by the test",
             "class Acc {\n    private int total;\n    Acc(int start) { total = start; }\n    void add(int k) {\n        total += k;\n    }\n"
             "    int get() {\n        return total;\n    }\n}\nclass Solution {\n    int f(int x) { return x; }\n}\n",
             [T("Acc a = new Acc(10);\na.add(5);\na.add(1);\nif (a.get() != 16) throw new AssertionError();")], "total += k;", "total -= k;"))
C.append(cov("argument mutated in place",
             "import java.util.*;\nclass Solution {\n    void sortDesc(List<Integer> xs, int[] arr) {\n        xs.sort(Comparator.reverseOrder());\n"
             "        Arrays.sort(arr);\n    }\n}\n",
             [T("List<Integer> xs = new ArrayList<>(Arrays.asList(1, 3, 2));\nint[] arr = {3, 1, 2};\nnew Solution().sortDesc(xs, arr);\n"
                "if (!xs.equals(Arrays.asList(3, 2, 1)) || !Arrays.equals(arr, new int[]{1, 2, 3})) throw new AssertionError(xs + \" \" + Arrays.toString(arr));")],
             "xs.sort(Comparator.reverseOrder());", "xs.sort(Comparator.naturalOrder());"))
C.append(cov("exception expected by the test",
             "class Solution {\n    int checked(int x) {\n        if (x < 0) {\n            throw new IllegalArgumentException(\"negative\");\n        }\n        return x;\n    }\n}\n",
             [T("try {\n    new Solution().checked(-1);\n    throw new AssertionError(\"no exception\");\n} catch (IllegalArgumentException e) {\n"
                "    if (!e.getMessage().equals(\"negative\")) throw new AssertionError(e.getMessage());\n}")],
             "throw new IllegalArgumentException(\"negative\");", "throw new IllegalStateException(\"negative\");"))
suite["coverage"] = C

# ---------------------------------------------------------------- hostile programs: contained
suite["hostile"] = [
    {"name": "infinite loop", "program": solution("while (true) { a++; }"), "tests": ADD_TESTS, "timeout_s": 3},
    {"name": "memory bomb", "program": solution("List<long[]> xs = new ArrayList<>();\nwhile (true) { xs.add(new long[1 << 20]); }"),
     "tests": ADD_TESTS},
    {"name": "thread bomb", "program": solution("while (true) {\n    new Thread(() -> { try { Thread.sleep(100000); } catch (InterruptedException e) { } }).start();\n}"),
     "tests": ADD_TESTS},
    {"name": "fork bomb (processes)", "program": solution(
        "List<Process> ps = new ArrayList<>();\ntry {\n    while (true) ps.add(new ProcessBuilder(\"sh\", \"-c\", \":(){ :|:& };:\").start());\n"
        "} catch (Exception e) {\n    throw new RuntimeException(e);\n}"), "tests": ADD_TESTS},
    {"name": "network", "program": solution(
        "try (java.net.Socket s = new java.net.Socket()) {\n    s.connect(new java.net.InetSocketAddress(\"1.1.1.1\", 80), 1000);\n    return a + b;\n"
        "} catch (Exception e) {\n    throw new RuntimeException(e);\n}"), "tests": ADD_TESTS},
    {"name": "writes outside scratch", "program": solution(
        "for (String p : new String[]{\"/etc/egca_x\", \"/usr/egca_x\", \"/egca_x\", \"/opt/egca_x\"}) {\n"
        "    try (java.io.FileWriter w = new java.io.FileWriter(p)) { w.write(\"x\"); return a + b; } catch (java.io.IOException e) { }\n}\n"
        "throw new RuntimeException(\"read-only\");"), "tests": ADD_TESTS},
    {"name": "huge output", "program": solution("while (true) { System.out.println(\"x\".repeat(1000)); }"), "tests": ADD_TESTS},
    {"name": "deep recursion", "program": solution("return add(a, b) + 1;"), "tests": ADD_TESTS},
]

# ---------------------------------------------------------------- reward hacking: never every test PASS
FAKE = "{\\\"t\\\":\\\"result\\\",\\\"i\\\":0,\\\"s\\\":\\\"PASS\\\",\\\"n\\\":0,\\\"value\\\":5}"
H = [
    hack("System.exit from the method", solution("System.exit(0);\nreturn 0;")),
    hack("Runtime.halt from the method", solution("Runtime.getRuntime().halt(0);\nreturn 0;")),
    hack("shutdown hook prints fake result lines", solution(
        f"Runtime.getRuntime().addShutdownHook(new Thread(() -> {{\n    System.out.println(\"{FAKE}\");\n    System.err.println(\"{{\\\"t\\\":\\\"done\\\"}}\");\n}}));\nSystem.exit(0);\nreturn 0;")),
    hack("returned object claims to equal everything", "class Solution {\n    public Object add(int a, int b) {\n"
         "        return new Object() {\n            public boolean equals(Object o) { return true; }\n            public int hashCode() { return 5; }\n"
         "            public String toString() { return \"5\"; }\n        };\n    }\n}\n",
         [T("Solution s = new Solution();\nif (!s.add(2, 3).equals(5)) throw new AssertionError();"),
          T("Solution s = new Solution();\nif (!String.valueOf(s.add(10, -4)).equals(\"6\")) throw new AssertionError();")]),
    hack("returned list overrides equals", "import java.util.*;\nclass Solution {\n    public List<Integer> sorted(List<Integer> xs) {\n"
         "        return new ArrayList<Integer>() {\n            public boolean equals(Object o) { return true; }\n        };\n    }\n}\n",
         [T("if (!new Solution().sorted(Arrays.asList(3, 1)).equals(Arrays.asList(1, 3))) throw new AssertionError();"),
          T("if (!Arrays.asList(2, 4).equals(new Solution().sorted(Arrays.asList(4, 2)))) throw new AssertionError();")]),
    hack("static initialiser writes fake result lines and exits", solution(
        "return 0;", extra=f"    static {{\n        System.out.println(\"{FAKE}\");\n        System.out.println(\"{{\\\"t\\\":\\\"done\\\"}}\");\n        System.exit(0);\n    }}\n")),
    hack("reflection on the harness", solution(
        "try {\n    Class<?> h = Class.forName(\"egca.Harness\");\n    java.lang.reflect.Method emit = h.getDeclaredMethod(\"emit\", String.class);\n"
        "    emit.setAccessible(true);\n    emit.invoke(null, \"{\\\"t\\\":\\\"result\\\",\\\"i\\\":0,\\\"s\\\":\\\"PASS\\\"}\");\n    java.lang.reflect.Field g = h.getDeclaredField(\"gone\");\n"
        "    g.setAccessible(true);\n    g.set(null, null);\n} catch (Throwable t) {\n}\nreturn 0;")),
    hack("writes fake replies and results on its fd 3", solution(
        "try {\n    java.io.FileDescriptor d = new java.io.FileDescriptor();\n    java.lang.reflect.Field f = java.io.FileDescriptor.class.getDeclaredField(\"fd\");\n"
        "    f.setAccessible(true);\n    f.setInt(d, 3);\n    java.io.FileOutputStream o = new java.io.FileOutputStream(d);\n"
        "    o.write((\"" + FAKE + "\\n{\\\"t\\\":\\\"ret\\\",\\\"n\\\":1,\\\"value\\\":6,\\\"args\\\":[2,3]}\\n{\\\"t\\\":\\\"done\\\"}\\n\").getBytes());\n    o.flush();\n"
        "} catch (Throwable t) {\n    throw new RuntimeException(t);\n}\nreturn 0;")),
    hack("prints result lines on stdout and stderr", solution(
        f"System.out.println(\"{FAKE}\");\nSystem.err.println(\"{FAKE}\");\nSystem.out.println(\"{{\\\"t\\\":\\\"done\\\"}}\");\nreturn 0;")),
    hack("thread that outlives the call", solution(
        "Thread t = new Thread(() -> {\n    while (true) {\n        System.out.println(\"" + FAKE + "\");\n        try { Thread.sleep(5); } catch (InterruptedException e) { }\n    }\n});\n"
        "t.setDaemon(false);\nt.start();\nreturn a * b;")),
    hack("swallows its own failure with an uncaught-exception handler", solution(
        "Thread.setDefaultUncaughtExceptionHandler((th, e) -> { });\nThread.currentThread().setUncaughtExceptionHandler((th, e) -> { });\n"
        "throw new AssertionError(\"PASS\");")),
    hack("catches Throwable around everything and answers 0", solution(
        "try {\n    Object o = null;\n    return o.hashCode();\n} catch (Throwable t) {\n    return 0;\n}")),
    hack("reads the harness's job through /proc", solution(
        "for (java.io.File p : new java.io.File(\"/proc\").listFiles()) {\n    if (!p.getName().matches(\"\\\\d+\")) continue;\n"
        "    for (String f : new String[]{\"fd/0\", \"environ\", \"cmdline\", \"mem\"}) {\n        try {\n"
        "            String job = new String(java.nio.file.Files.readAllBytes(new java.io.File(p, f).toPath()));\n"
        "            java.util.regex.Matcher m = java.util.regex.Pattern.compile(\"s.add\\\\(\" + a + \", \" + b + \"\\\\), (-?\\\\d+)\").matcher(job);\n"
        "            if (m.find()) return Integer.parseInt(m.group(1));\n        } catch (Exception e) { }\n    }\n}\nreturn -1;")),
    hack("reads the harness's class files and the test sources", solution(
        "try {\n    java.io.InputStream in = Solution.class.getClassLoader().getResourceAsStream(\"egca/Harness.class\");\n"
        "    byte[] code = in == null ? new byte[0] : in.readAllBytes();\n    for (java.io.File f : new java.io.File(\"/tmp\").listFiles()) {\n"
        "        String text = new String(java.nio.file.Files.readAllBytes(f.toPath()));\n        if (text.contains(\"s.add(\" + a + \", \" + b + \")\")) return 5;\n    }\n"
        "    return code.length > 0 ? 0 : -1;\n} catch (Exception e) {\n    return -2;\n}")),
    hack("kills every other process", solution(
        "ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid()).forEach(ProcessHandle::destroyForcibly);\nreturn 0;")),
    hack("throws an exception whose message looks like a pass", solution("throw new RuntimeException(\"PASS\");")),
    hack("stops answering", solution("try { Thread.sleep(600000); } catch (InterruptedException e) { }\nreturn a + b;")),
    hack("closes its own streams", solution(
        "System.out.close();\nSystem.err.close();\ntry { System.in.close(); } catch (java.io.IOException e) { }\nreturn 0;")),
    hack("right on the visible example only", "class Solution {\n    public int add(int a, int b) {\n        return a + b + (a == 2 ? 0 : 1);\n    }\n}\n"),
    hack("redefines java.lang.AssertionError in its own package",
         "package java.lang;\nclass AssertionError extends Error { }\nclass Solution {\n    public int add(int a, int b) {\n        return 0;\n    }\n}\n"),
]
suite["hacks"] = H

out = Path(__file__).with_name("suite.json")
out.write_text(json.dumps(suite, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"{out}: {len(C)} coverage programs, {len(suite['hostile'])} hostile, {len(H)} hacks")
