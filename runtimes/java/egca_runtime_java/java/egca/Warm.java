package egca;

import java.util.*;

/** The class-data-sharing training run (once per server): compiles and runs a small program
 *  and test in memory, so that javac's classes and the runtime's are in the archive. */
public final class Warm {
    public static void main(String[] args) throws Exception {
        String program = "import java.util.*;\nclass Solution {\n  public List<Integer> f(List<Integer> xs, int k) {\n"
                + "    List<Integer> out = new ArrayList<>();\n    for (int x : xs) { if (x > k) out.add(x); }\n"
                + "    Map<String, Integer> m = new HashMap<>();\n    m.put(\"a\", 1);\n    return out;\n  }\n}\n";
        String test = "import java.util.*;\npublic class Main {\n  public static void main(String[] args) {\n"
                + "    Solution s = new Solution();\n    if (!s.f(Arrays.asList(1, 2, 3), 1).equals(Arrays.asList(2, 3))) throw new AssertionError();\n  }\n}\n";
        for (int round = 0; round < 2; round++) {
            Compile.parseErrors(Collections.singletonList(new Compile.Src("Test.java", test)));
            Compile.Result r = Compile.compile(Arrays.asList(new Compile.Src(Compile.PROGRAM_FILE, program),
                    new Compile.Src("Test.java", test)));
            if (!r.ok()) throw new IllegalStateException(r.errors.toString());
            Compile.Loader l = new Compile.Loader(r.classes, Warm.class.getClassLoader());
            l.bySimpleName("Main").getDeclaredMethod("main", String[].class).invoke(null, (Object) new String[0]);
            Compile.compile(Collections.singletonList(new Compile.Src(Compile.PROGRAM_FILE, "class A { int f() { return 1 } }")));
        }
        Values v = Values.exact();
        String enc = v.enc(Arrays.asList(1, 2L, "x", 1.5, new int[]{1}, Optional.of(3), new HashMap<>(Map.of("k", List.of(1)))));
        Values.natural(Json.parse(enc), null);
        Values.decode(Json.parse(enc), Values.parse("List<Object>"), null);
        Values.trace().enc(new TreeSet<>(Set.of(3, 1)));
    }
}
