/* EGCA C++ tracer: what the instrumented program sees (see runtimes/cpp/README.md).
 * Everything lives in namespace egca_rt, so the program's names stay its own.
 * Values are encoded by templates (the kit's compact VALUE encoding): the
 * instrumenter never needs a binding's type. */
#ifndef EGCA_RT_HPP
#define EGCA_RT_HPP
#include <array>
#include <cstddef>
#include <deque>
#include <exception>
#include <list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace egca_rt {
/* The statement position, in memory the runner (Trace) or harness (Run) reads after
 * the program died; where the last failed assert was; the exception in flight. */
struct Hot {
    volatile int last, depth, assert_where, assert_line;
    volatile char assert_msg[256];
    volatile int thrown_at, exc_set;
    volatile char exc_msg[300];
};
extern Hot *hot;
extern int on;
extern int nest;
unsigned long enter();
void leave(int saved_last);
void ev(int kind, int id, unsigned long frame);
void ev_end();
void bind(const char *name);
void bend(unsigned long long *slot);
void branch(int id, unsigned long frame, int taken);
void raw(const char *s);
void out_ll(long long v);
void out_ull(unsigned long long v);
void out_d(long double v);
void out_str(const char *s, std::size_t n);
void out_cstr(const char *s);
void out_opaque(const char *what);
void list_begin(const char *type, std::size_t n);
void map_begin(const char *type, std::size_t n);
void obj_begin(const char *type);
void field(int index, const char *name);
void sep();
void close2();                       /* "]]": ends a list, map or object */
void exc(unsigned long frame);       /* an exception leaves a statement of this frame */

struct Frame {
    unsigned long id;
    int saved;
    Frame() : id(enter()), saved(hot->last) {}
    ~Frame() { leave(saved); }
    Frame(const Frame &) = delete;
    Frame &operator=(const Frame &) = delete;
};

template <class T> struct seq_kind { static constexpr const char *name = nullptr; };
template <class... A> struct seq_kind<std::vector<A...>> { static constexpr const char *name = "vector"; };
template <class... A> struct seq_kind<std::deque<A...>> { static constexpr const char *name = "deque"; };
template <class... A> struct seq_kind<std::list<A...>> { static constexpr const char *name = "list"; };
template <class... A> struct seq_kind<std::set<A...>> { static constexpr const char *name = "set"; };
template <class... A> struct seq_kind<std::multiset<A...>> { static constexpr const char *name = "multiset"; };
template <class... A> struct seq_kind<std::unordered_set<A...>> { static constexpr const char *name = "unordered_set"; };
template <class... A> struct seq_kind<std::unordered_multiset<A...>> { static constexpr const char *name = "unordered_multiset"; };
template <class T, std::size_t N> struct seq_kind<std::array<T, N>> { static constexpr const char *name = "array"; };
template <class T> struct map_kind { static constexpr const char *name = nullptr; };
template <class... A> struct map_kind<std::map<A...>> { static constexpr const char *name = "map"; };
template <class... A> struct map_kind<std::multimap<A...>> { static constexpr const char *name = "multimap"; };
template <class... A> struct map_kind<std::unordered_map<A...>> { static constexpr const char *name = "unordered_map"; };
template <class... A> struct map_kind<std::unordered_multimap<A...>> { static constexpr const char *name = "unordered_multimap"; };
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T> struct is_tuple : std::false_type {};
template <class... A> struct is_tuple<std::tuple<A...>> : std::true_type {};
template <class T, class = void> struct has_enc : std::false_type {};
template <class T> struct has_enc<T, std::void_t<decltype(std::declval<const T &>().__egca_enc())>> : std::true_type {};

enum { LIST_CAP = 64, MAX_DEPTH = 4 };

template <class T> void val(const T &v);

template <class C> void items(const char *type, const C &c) {
    std::size_t n = 0;
    for (auto it = c.begin(); it != c.end(); ++it) n++;
    list_begin(type, n);
    std::size_t i = 0;
    for (auto it = c.begin(); it != c.end() && i < LIST_CAP; ++it, ++i) {
        if (i) sep();
        val(*it);
    }
    close2();
}

template <class T> void val(const T &v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
        raw(v ? "true" : "false");
    } else if constexpr (std::is_integral_v<U>) {
        if constexpr (std::is_signed_v<U>) out_ll((long long)v); else out_ull((unsigned long long)v);
    } else if constexpr (std::is_floating_point_v<U>) {
        out_d((long double)v);
    } else if constexpr (std::is_enum_v<U>) {
        out_ll((long long)(std::underlying_type_t<U>)v);
    } else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view>) {
        out_str(v.data(), v.size());
    } else if constexpr (std::is_same_v<U, std::nullptr_t>) {
        raw("null");
    } else if constexpr (std::is_pointer_v<U>) {
        using P = std::remove_cv_t<std::remove_pointer_t<U>>;
        if (!v) raw("null");
        else if constexpr (std::is_same_v<P, char>) out_cstr((const char *)v);
        else out_opaque("<pointer>");
    } else if constexpr (std::is_array_v<U>) {
        using E = std::remove_cv_t<std::remove_extent_t<U>>;
        constexpr std::size_t n = std::extent_v<U>;
        if constexpr (std::is_same_v<E, char>) {
            std::size_t k = 0;
            while (k < n && v[k]) k++;
            if (k < n) { out_str(v, k); return; }
        }
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        list_begin("array", n);
        for (std::size_t i = 0; i < n && i < LIST_CAP; i++) { if (i) sep(); val(v[i]); }
        close2();
    } else if constexpr (seq_kind<U>::name != nullptr) {
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        items(seq_kind<U>::name, v);
    } else if constexpr (map_kind<U>::name != nullptr) {
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        std::size_t n = v.size(), i = 0;
        map_begin(map_kind<U>::name, n);
        for (auto it = v.begin(); it != v.end() && i < LIST_CAP; ++it, ++i) {
            if (i) sep();
            raw("[");
            val(it->first);
            sep();
            val(it->second);
            raw("]");
        }
        close2();
    } else if constexpr (is_pair<U>::value) {
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        list_begin("pair", 2);
        val(v.first);
        sep();
        val(v.second);
        close2();
    } else if constexpr (is_tuple<U>::value) {
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        list_begin("tuple", std::tuple_size_v<U>);
        std::size_t i = 0;
        std::apply([&](const auto &...x) { ((i++ ? sep() : (void)0, val(x)), ...); }, v);
        close2();
    } else if constexpr (has_enc<U>::value) {
        if (nest >= MAX_DEPTH) { out_opaque("<...>"); return; }
        v.__egca_enc();
    } else {
        out_opaque("<value>");
    }
}

/* One binding of a STEP/CALL: kept only when its encoding changed in this frame's slot. */
template <class T> inline void bv(const char *name, const T &v, unsigned long long *slot) {
    bind(name);
    val(v);
    bend(slot);
}
/* A field of a generated object printer. */
template <class T> inline void fv(int index, const char *name, const T &v) {
    field(index, name);
    val(v);
    raw("]");
}
template <class T> inline void ret(int id, unsigned long frame, const T &v) {
    ev('R', id, frame);
    val(v);
    ev_end();
}
}  // namespace egca_rt

#define EGCA_AT(s) (egca_rt::hot->last = (s))
#endif
