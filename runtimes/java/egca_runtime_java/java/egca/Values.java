package egca;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.*;

/** The compact VALUE encoding (docs/RUNTIMES.md) of Java values, and its decoding into
 *  plain Java data of a declared type. Trace values are capped (strings 1000 characters,
 *  64 items, depth 4); values between the harness and its candidate are exact, and keep
 *  the boxed type where JSON would lose it (Long as ["i", digits]; Short, Byte, Float,
 *  Character, BigInteger, BigDecimal as ["o", Type, [["value", v]]]). */
public final class Values {
    public static final long BIG = 1L << 53;
    public final int strCap, itemsCap, depthCap;
    public final boolean exact;
    /** Objects of the program's classes (exact mode): their handle, or -1 to encode the fields. */
    public interface Handles { int handle(Object o); boolean isProgram(Class<?> c); }
    public Handles handles;

    public Values(int strCap, int itemsCap, int depthCap, boolean exact) {
        this.strCap = strCap; this.itemsCap = itemsCap; this.depthCap = depthCap; this.exact = exact;
    }

    public static Values trace() { return new Values(1000, 64, 4, false); }
    public static Values exact() { return new Values(Integer.MAX_VALUE, Integer.MAX_VALUE, 200, true); }

    public String enc(Object v) {
        StringBuilder b = new StringBuilder();
        enc(b, v, depthCap);
        return b.toString();
    }

    private static void dbl(StringBuilder b, double d) {
        if (Double.isNaN(d)) b.append("[\"f\",\"nan\"]");
        else if (Double.isInfinite(d)) b.append(d > 0 ? "[\"f\",\"inf\"]" : "[\"f\",\"-inf\"]");
        else b.append(Double.toString(d));
    }

    private void boxed(StringBuilder b, String type, String valueJson) {
        b.append("[\"o\",\"").append(type).append("\",[[\"value\",").append(valueJson).append("]]]");
    }

    private void integral(StringBuilder b, long n) {
        if (-BIG < n && n < BIG) b.append(n);
        else b.append("[\"i\",\"").append(n).append("\"]");
    }

    private void string(StringBuilder b, String s) {
        if (s.length() <= strCap) { Json.str(b, s); return; }
        b.append("[\"s\",");
        Json.str(b, s.substring(0, strCap));
        b.append(',').append(s.length()).append(']');
    }

    public void enc(StringBuilder b, Object v, int depth) {
        if (v == null) { b.append("null"); return; }
        Class<?> c = v.getClass();
        if (c == Integer.class) { b.append(((Integer) v).intValue()); return; }
        if (c == Boolean.class) { b.append(((Boolean) v) ? "true" : "false"); return; }
        if (c == String.class) { string(b, (String) v); return; }
        if (c == Double.class) { dbl(b, (Double) v); return; }
        if (c == Long.class) {
            long n = (Long) v;
            if (exact) b.append("[\"i\",\"").append(n).append("\"]"); else integral(b, n);
            return;
        }
        if (c == Character.class) {
            if (exact) boxed(b, "Character", Json.str(String.valueOf(v))); else Json.str(b, String.valueOf(v));
            return;
        }
        if (c == Short.class || c == Byte.class) {
            if (exact) boxed(b, c.getSimpleName(), String.valueOf(((Number) v).intValue()));
            else b.append(((Number) v).intValue());
            return;
        }
        if (c == Float.class) {
            float f = (Float) v;
            String t = Float.isNaN(f) || Float.isInfinite(f) ? null : Float.toString(f);
            StringBuilder x = new StringBuilder();
            if (t != null) x.append(t); else dbl(x, f);
            if (exact) boxed(b, "Float", x.toString()); else b.append(x);
            return;
        }
        if (c == BigInteger.class) {
            BigInteger n = (BigInteger) v;
            if (exact) boxed(b, "BigInteger", "[\"i\",\"" + n + "\"]");
            else if (n.bitLength() < 53) b.append(n); else b.append("[\"i\",\"").append(n).append("\"]");
            return;
        }
        if (c == BigDecimal.class) {
            if (exact) boxed(b, "BigDecimal", Json.str(v.toString())); else dbl(b, ((BigDecimal) v).doubleValue());
            return;
        }
        if (v instanceof CharSequence && !(handles != null && handles.isProgram(c))) {
            if (exact && c != String.class) { boxed(b, c.getSimpleName(), Json.str(v.toString())); return; }
            string(b, v.toString());
            return;
        }
        if (v instanceof Plain) { ((Plain) v).enc(this, b, depth); return; }
        if (v instanceof Opaque) { b.append("[\"x\",").append(Json.str(v.toString())).append(']'); return; }
        if (c.isArray()) {
            int n = Array.getLength(v);
            String tn = c.getComponentType().getSimpleName() + "[]";
            if (depth <= 0) { opaque(b, "<" + tn + " of " + n + ">"); return; }
            b.append("[\"l\",\"").append(tn).append("\",").append(n).append(",[");
            int m = Math.min(n, itemsCap);
            for (int k = 0; k < m; k++) {
                if (k > 0) b.append(',');
                enc(b, Array.get(v, k), depth - 1);
            }
            b.append("]]");
            return;
        }
        if (v instanceof Optional) {
            Optional<?> o = (Optional<?>) v;
            b.append("[\"o\",\"Optional\",[");
            if (o.isPresent()) { b.append("[\"value\","); enc(b, o.get(), depth - 1); b.append(']'); }
            b.append("]]");
            return;
        }
        if (v instanceof Enum) {
            Enum<?> e = (Enum<?>) v;
            b.append("[\"x\",").append(Json.str(e.getDeclaringClass().getSimpleName() + "." + e.name())).append(']');
            return;
        }
        boolean program = handles != null && handles.isProgram(c);
        if (!program && v instanceof Collection) {
            Collection<?> col = (Collection<?>) v;
            String tn = typeName(c);
            if (depth <= 0) { opaque(b, "<" + tn + " of " + col.size() + ">"); return; }
            List<String> items = new ArrayList<>();
            for (Object x : col) {
                if (items.size() >= itemsCap && !(v instanceof Set && !(v instanceof SortedSet) && !exact)) break;
                StringBuilder ib = new StringBuilder();
                enc(ib, x, depth - 1);
                items.add(ib.toString());
            }
            if (v instanceof Set && !(v instanceof SortedSet) && !(v instanceof LinkedHashSet)) Collections.sort(items);
            if (items.size() > itemsCap) items = items.subList(0, itemsCap);
            b.append("[\"l\",\"").append(tn).append("\",").append(col.size()).append(",[");
            b.append(String.join(",", items)).append("]]");
            return;
        }
        if (!program && v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            String tn = typeName(c);
            if (depth <= 0) { opaque(b, "<" + tn + " of " + m.size() + ">"); return; }
            b.append("[\"m\",\"").append(tn).append("\",").append(m.size()).append(",[");
            int k = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (k >= itemsCap) break;
                if (k++ > 0) b.append(',');
                b.append('[');
                enc(b, e.getKey(), depth - 1);
                b.append(',');
                enc(b, e.getValue(), depth - 1);
                b.append(']');
            }
            b.append("]]");
            return;
        }
        if (program) {
            int h = exact ? handles.handle(v) : -1;
            fields(b, v, c, depth, h);
            return;
        }
        if (c.isSynthetic() || c.getSimpleName().contains("$$Lambda")) { opaque(b, "<lambda>"); return; }
        String text;
        try {
            text = String.valueOf(v);
        } catch (RuntimeException e) {
            text = "<" + c.getSimpleName() + ">";
        }
        opaque(b, text.length() > 200 ? text.substring(0, 200) : text);
    }

    private static String typeName(Class<?> c) {
        String n = c.getSimpleName();
        if (n.isEmpty() || c.getName().startsWith("java.util.ImmutableCollections") || c.getName().startsWith("java.util.Collections$")
                || c.getName().startsWith("java.util.Arrays$")) {
            return Map.class.isAssignableFrom(c) ? "Map" : Set.class.isAssignableFrom(c) ? "Set" : "List";
        }
        return n;
    }

    private void opaque(StringBuilder b, String text) {
        b.append("[\"x\",");
        Json.str(b, text);
        b.append(']');
    }

    private void fields(StringBuilder b, Object v, Class<?> c, int depth, int handle) {
        b.append("[\"o\",");
        Json.str(b, c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName());
        b.append(",[");
        boolean first = true;
        if (handle >= 0) { b.append("[\"@h\",").append(handle).append(']'); first = false; }
        if (depth > 0) {
            int n = 0;
            for (Class<?> k = c; k != null && k != Object.class && handles.isProgram(k); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || n++ >= itemsCap) continue;
                    Object x;
                    try {
                        f.setAccessible(true);
                        x = f.get(v);
                    } catch (Exception e) {
                        continue;
                    }
                    if (!first) b.append(',');
                    first = false;
                    b.append('[');
                    Json.str(b, f.getName());
                    b.append(',');
                    enc(b, x, depth - 1);
                    b.append(']');
                }
            }
        }
        b.append("]]");
    }

    // ------------------------------------------------------------------ types

    /** A declared type: a name (simple), type arguments, array dimensions. */
    public static final class TD {
        public final String name;
        public final TD[] args;
        public final int dims;
        public TD(String name, TD[] args, int dims) { this.name = name; this.args = args; this.dims = dims; }
        public TD arg(int i) { return i < args.length ? args[i] : OBJECT; }
        public TD component() { return new TD(name, args, dims - 1); }
        @Override public String toString() {
            StringBuilder b = new StringBuilder(name);
            if (args.length > 0) {
                b.append('<');
                for (int i = 0; i < args.length; i++) b.append(i > 0 ? ", " : "").append(args[i]);
                b.append('>');
            }
            for (int i = 0; i < dims; i++) b.append("[]");
            return b.toString();
        }
    }

    public static final TD OBJECT = new TD("Object", new TD[0], 0);

    /** Parses a canonical type text: `Map<String, List<Integer>>`, `int[][]`, `? extends Number`. */
    public static TD parse(String text) {
        int[] pos = {0};
        TD t = parseAt(text.replace(" ", ""), pos);
        return t;
    }

    private static TD parseAt(String s, int[] p) {
        if (s.startsWith("?", p[0])) {
            p[0]++;
            if (s.startsWith("extends", p[0])) { p[0] += 7; return parseAt(s, p); }
            if (s.startsWith("super", p[0])) { p[0] += 5; parseAt(s, p); }
            return OBJECT;
        }
        int start = p[0];
        while (p[0] < s.length() && (Character.isJavaIdentifierPart(s.charAt(p[0])) || s.charAt(p[0]) == '.')) p[0]++;
        String name = s.substring(start, p[0]);
        int dot = name.lastIndexOf('.');
        if (dot >= 0) name = name.substring(dot + 1);
        List<TD> args = new ArrayList<>();
        if (p[0] < s.length() && s.charAt(p[0]) == '<') {
            p[0]++;
            while (p[0] < s.length() && s.charAt(p[0]) != '>') {
                args.add(parseAt(s, p));
                if (p[0] < s.length() && s.charAt(p[0]) == ',') p[0]++;
            }
            p[0]++;
        }
        int dims = 0;
        while (s.startsWith("[]", p[0])) { dims++; p[0] += 2; }
        while (s.startsWith("...", p[0])) { dims++; p[0] += 3; }
        return new TD(name.isEmpty() ? "Object" : name, args.toArray(new TD[0]), dims);
    }

    /** A reflected type as a TD (type variables and wildcards: their first bound). */
    public static TD of(Type t) {
        if (t instanceof Class) {
            Class<?> c = (Class<?>) t;
            int dims = 0;
            while (c.isArray()) { dims++; c = c.getComponentType(); }
            return new TD(c.getSimpleName(), new TD[0], dims);
        }
        if (t instanceof ParameterizedType) {
            ParameterizedType pt = (ParameterizedType) t;
            Type[] a = pt.getActualTypeArguments();
            TD[] args = new TD[a.length];
            for (int i = 0; i < a.length; i++) args[i] = of(a[i]);
            return new TD(((Class<?>) pt.getRawType()).getSimpleName(), args, 0);
        }
        if (t instanceof GenericArrayType) {
            TD c = of(((GenericArrayType) t).getGenericComponentType());
            return new TD(c.name, c.args, c.dims + 1);
        }
        if (t instanceof WildcardType) {
            Type[] up = ((WildcardType) t).getUpperBounds();
            return up.length > 0 ? of(up[0]) : OBJECT;
        }
        if (t instanceof TypeVariable) {
            Type[] up = ((TypeVariable<?>) t).getBounds();
            return up.length > 0 && up[0] != Object.class && !(up[0] instanceof ParameterizedType) ? of(up[0]) : OBJECT;
        }
        return OBJECT;
    }

    // ------------------------------------------------------------------ decoding

    /** Objects of program classes on the receiving side (handles, stubs). */
    public interface Resolver {
        Object object(String type, List<?> fields, TD target);
        Class<?> classFor(String name);
    }

    public static final class Mismatch extends RuntimeException {
        public Mismatch(String m) { super(m); }
    }

    private static Mismatch mismatch(Object j, TD t) {
        String s = String.valueOf(j);
        return new Mismatch("a value " + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + " does not fit " + t);
    }

    private static List<?> tagged(Object j, String tag) {
        if (j instanceof List && !((List<?>) j).isEmpty() && tag.equals(((List<?>) j).get(0))) return (List<?>) j;
        return null;
    }

    /** ["o", Type, [["value", v]]] of a boxed scalar -> v */
    private static Object unbox(Object j) {
        List<?> o = tagged(j, "o");
        if (o != null && o.size() == 3 && o.get(2) instanceof List) {
            List<?> fs = (List<?>) o.get(2);
            if (fs.size() == 1 && fs.get(0) instanceof List && ((List<?>) fs.get(0)).size() == 2
                    && "value".equals(((List<?>) fs.get(0)).get(0))) {
                return ((List<?>) fs.get(0)).get(1);
            }
        }
        return j;
    }

    private static BigInteger bigint(Object j) {
        j = unbox(j);
        if (j instanceof Long) return BigInteger.valueOf((Long) j);
        if (j instanceof BigInteger) return (BigInteger) j;
        List<?> i = tagged(j, "i");
        if (i != null && i.size() == 2 && i.get(1) instanceof String) return new BigInteger((String) i.get(1));
        return null;
    }

    private static Double dbl(Object j) {
        j = unbox(j);
        if (j instanceof Double) return (Double) j;
        if (j instanceof Long) return ((Long) j).doubleValue();
        if (j instanceof String) {
            try { return Double.valueOf((String) j); } catch (NumberFormatException e) { return null; }
        }
        List<?> f = tagged(j, "f");
        if (f != null && f.size() == 2) {
            String s = String.valueOf(f.get(1));
            return s.equals("nan") ? Double.NaN : s.equals("inf") ? Double.POSITIVE_INFINITY
                    : s.equals("-inf") ? Double.NEGATIVE_INFINITY : null;
        }
        BigInteger b = bigint(j);
        return b == null ? null : b.doubleValue();
    }

    private static long integral(Object j, TD t, long lo, long hi) {
        BigInteger b = bigint(j);
        if (b == null || b.bitLength() > 63 || b.longValue() < lo || b.longValue() > hi) throw mismatch(j, t);
        return b.longValue();
    }

    public static Class<?> classOf(TD t, Resolver r) {
        Class<?> c = base(t.name, r);
        for (int i = 0; i < t.dims; i++) c = Array.newInstance(c, 0).getClass();
        return c;
    }

    private static Class<?> base(String n, Resolver r) {
        switch (n) {
            case "int": return int.class;
            case "long": return long.class;
            case "double": return double.class;
            case "float": return float.class;
            case "short": return short.class;
            case "byte": return byte.class;
            case "char": return char.class;
            case "boolean": return boolean.class;
            case "Integer": return Integer.class;
            case "Long": return Long.class;
            case "Double": return Double.class;
            case "Float": return Float.class;
            case "Short": return Short.class;
            case "Byte": return Byte.class;
            case "Character": return Character.class;
            case "Boolean": return Boolean.class;
            case "String": return String.class;
            case "List": return List.class;
            case "ArrayList": return ArrayList.class;
            case "Map": return Map.class;
            case "Set": return Set.class;
            case "BigInteger": return BigInteger.class;
            default: {
                Class<?> c = r == null ? null : r.classFor(n);
                return c != null ? c : Object.class;
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object decode(Object j, TD t, Resolver r) {
        if (t.dims > 0) {
            if (j == null) return null;
            List<?> l = tagged(j, "l");
            if (l == null || l.size() != 4 || !(l.get(3) instanceof List)) throw mismatch(j, t);
            List<?> items = (List<?>) l.get(3);
            TD comp = t.component();
            Object arr = Array.newInstance(classOf(comp, r), items.size());
            boolean prim = comp.dims == 0 && classOf(comp, r).isPrimitive();
            for (int k = 0; k < items.size(); k++) {
                Object x = decode(items.get(k), comp, r);
                if (x == null && prim) throw mismatch(items.get(k), comp);
                Array.set(arr, k, x);
            }
            return arr;
        }
        String n = t.name;
        if (j == null) {
            if (base(n, null).isPrimitive()) throw mismatch(null, t);
            return null;
        }
        switch (n) {
            case "int": case "Integer": return (int) integral(j, t, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case "long": case "Long": return integral(j, t, Long.MIN_VALUE, Long.MAX_VALUE);
            case "short": case "Short": return (short) integral(j, t, Short.MIN_VALUE, Short.MAX_VALUE);
            case "byte": case "Byte": return (byte) integral(j, t, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case "double": case "Double": {
                Double d = dbl(j);
                if (d == null) throw mismatch(j, t);
                return d;
            }
            case "float": case "Float": {
                Double d = dbl(j);
                if (d == null) throw mismatch(j, t);
                return d.floatValue();
            }
            case "char": case "Character": {
                Object u = unbox(j);
                if (u instanceof String && ((String) u).length() == 1) return ((String) u).charAt(0);
                if (u instanceof Long) return (char) integral(u, t, 0, 0xFFFF);
                throw mismatch(j, t);
            }
            case "boolean": case "Boolean":
                if (j instanceof Boolean) return j;
                throw mismatch(j, t);
            case "String": case "CharSequence": {
                Object u = unbox(j);
                if (u instanceof String) return ((String) u).intern();
                throw mismatch(j, t);
            }
            case "StringBuilder": {
                Object u = unbox(j);
                if (u instanceof String) return new StringBuilder((String) u);
                throw mismatch(j, t);
            }
            case "BigInteger": {
                BigInteger b = bigint(j);
                if (b == null) throw mismatch(j, t);
                return b;
            }
            case "BigDecimal": {
                Object u = unbox(j);
                try {
                    return u instanceof String ? new BigDecimal((String) u) : new BigDecimal(String.valueOf(u));
                } catch (NumberFormatException e) {
                    throw mismatch(j, t);
                }
            }
            case "Optional": {
                List<?> o = tagged(j, "o");
                if (o == null || o.size() != 3 || !"Optional".equals(o.get(1))) throw mismatch(j, t);
                List<?> fs = (List<?>) o.get(2);
                if (fs.isEmpty()) return Optional.empty();
                return Optional.ofNullable(decode(((List<?>) fs.get(0)).get(1), t.arg(0), r));
            }
            default:
        }
        Collection col = collection(n);
        if (col != null) {
            List<?> l = tagged(j, "l");
            if (l == null || l.size() != 4 || !(l.get(3) instanceof List)) throw mismatch(j, t);
            for (Object x : (List<?>) l.get(3)) col.add(decode(x, t.arg(0), r));
            return col;
        }
        Map map = map(n);
        if (map != null) {
            List<?> m = tagged(j, "m");
            if (m == null || m.size() != 4 || !(m.get(3) instanceof List)) throw mismatch(j, t);
            for (Object kv : (List<?>) m.get(3)) {
                List<?> e = (List<?>) kv;
                map.put(decode(e.get(0), t.arg(0), r), decode(e.get(1), t.arg(1), r));
            }
            return map;
        }
        if (r != null && r.classFor(n) != null) {
            List<?> o = tagged(j, "o");
            if (o == null || o.size() != 3 || !(o.get(2) instanceof List)) throw mismatch(j, t);
            return r.object(String.valueOf(o.get(1)), (List<?>) o.get(2), t);
        }
        return natural(j, r);
    }

    private static Collection<Object> collection(String n) {
        switch (n) {
            case "List": case "ArrayList": case "Collection": case "Iterable": case "AbstractList": case "AbstractCollection":
            case "RandomAccess":
                return new ArrayList<>();
            case "LinkedList": return new LinkedList<>();
            case "Vector": return new Vector<>();
            case "Stack": return new Stack<>();
            case "Set": case "HashSet": case "AbstractSet": return new HashSet<>();
            case "LinkedHashSet": return new LinkedHashSet<>();
            case "TreeSet": case "SortedSet": case "NavigableSet": return new TreeSet<>();
            case "Queue": case "Deque": case "ArrayDeque": return new ArrayDeque<>();
            case "PriorityQueue": return new PriorityQueue<>();
            default: return null;
        }
    }

    private static Map<Object, Object> map(String n) {
        switch (n) {
            case "Map": case "HashMap": case "AbstractMap": return new HashMap<>();
            case "LinkedHashMap": return new LinkedHashMap<>();
            case "TreeMap": case "SortedMap": case "NavigableMap": return new TreeMap<>();
            case "Hashtable": return new Hashtable<>();
            default: return null;
        }
    }

    private static final Set<String> BOXES = new HashSet<>(Arrays.asList(
            "Long", "Short", "Byte", "Float", "Character", "BigInteger", "BigDecimal", "StringBuilder"));

    /** A value whose declared type says nothing (Object, a type variable): the natural Java value. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object natural(Object j, Resolver r) {
        if (j instanceof String) return ((String) j).intern();   // as the program's literals are (`==` on strings)
        if (j == null || j instanceof Boolean || j instanceof Double) return j;
        if (j instanceof Long) {
            long v = (Long) j;
            return v == (int) v ? (Object) (int) v : (Object) v;
        }
        if (j instanceof BigInteger) return j;
        if (!(j instanceof List) || ((List<?>) j).isEmpty()) return new Opaque("<malformed value>");
        List<?> l = (List<?>) j;
        String tag = String.valueOf(l.get(0));
        try {
            switch (tag) {
                case "i": {
                    BigInteger b = bigint(j);
                    return b.bitLength() < 64 ? (Object) b.longValue() : b;
                }
                case "f": return dbl(j);
                case "l": {
                    String tn = String.valueOf(l.get(1));
                    if (tn.endsWith("[]")) return decode(j, parse(tn), r);
                    Collection col = collection(tn);
                    if (col == null) col = new ArrayList<>();
                    for (Object x : (List<?>) l.get(3)) col.add(natural(x, r));
                    return col;
                }
                case "m": {
                    Map map = map(String.valueOf(l.get(1)));
                    if (map == null) map = new HashMap<>();
                    for (Object kv : (List<?>) l.get(3)) {
                        List<?> e = (List<?>) kv;
                        map.put(natural(e.get(0), r), natural(e.get(1), r));
                    }
                    return map;
                }
                case "o": {
                    String tn = String.valueOf(l.get(1));
                    if (tn.equals("Optional")) return decode(j, new TD("Optional", new TD[0], 0), r);
                    if (BOXES.contains(tn)) return decode(j, new TD(tn, new TD[0], 0), r);
                    if (r != null) return r.object(tn, (List<?>) l.get(2), null);
                    return Plain.of(tn, (List<?>) l.get(2), r);
                }
                case "x": return new Opaque(String.valueOf(l.get(1)));
                default: return new Opaque("<" + tag + " value>");
            }
        } catch (RuntimeException e) {
            return new Opaque("<malformed value>");
        }
    }

    /** An object of the program as data: its type name and fields; equal only to the same data. */
    public static final class Plain {
        public final String type;
        public final List<Object[]> fields;
        Plain(String type, List<Object[]> fields) { this.type = type; this.fields = fields; }

        public static Plain of(String type, List<?> raw, Resolver r) {
            List<Object[]> fs = new ArrayList<>();
            for (Object f : raw) {
                List<?> p = (List<?>) f;
                if ("@h".equals(p.get(0))) continue;
                fs.add(new Object[]{String.valueOf(p.get(0)), natural(p.get(1), r)});
            }
            return new Plain(type, fs);
        }

        void enc(Values v, StringBuilder b, int depth) {
            b.append("[\"o\",");
            Json.str(b, type);
            b.append(",[");
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) b.append(',');
                b.append('[');
                Json.str(b, (String) fields.get(i)[0]);
                b.append(',');
                v.enc(b, fields.get(i)[1], depth - 1);
                b.append(']');
            }
            b.append("]]");
        }

        @Override public boolean equals(Object o) {
            if (!(o instanceof Plain) || !type.equals(((Plain) o).type) || fields.size() != ((Plain) o).fields.size()) return false;
            for (int i = 0; i < fields.size(); i++) {
                if (!Arrays.deepEquals(fields.get(i), ((Plain) o).fields.get(i))) return false;
            }
            return true;
        }

        @Override public int hashCode() {
            int h = type.hashCode();
            for (Object[] f : fields) h = h * 31 + Arrays.deepHashCode(f);
            return h;
        }

        @Override public String toString() {
            StringBuilder b = new StringBuilder(type).append('(');
            for (int i = 0; i < fields.size(); i++) b.append(i > 0 ? ", " : "").append(fields.get(i)[0]).append('=').append(fields.get(i)[1]);
            return b.append(')').toString();
        }
    }

    /** A value that did not cross as data: equal to nothing but itself. */
    public static final class Opaque {
        private final String text;
        public Opaque(String text) { this.text = text; }
        @Override public String toString() { return text; }
    }
}
