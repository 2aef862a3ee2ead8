/* EGCA C++ Run: the bytes a call's result travels in, from the candidate's side
 * (put, compiled into the candidate's shared object) to the harness (get, compiled
 * into the harness executable). Plain data only: integers and floating point as
 * their bytes, bool as 0/1, strings and containers as a 64-bit count + items,
 * pairs and tuples item by item. The harness side trusts nothing: every count is
 * checked against the bytes left, every bool must be 0 or 1. */
#ifndef EGCA_WIRE_HPP
#define EGCA_WIRE_HPP
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace egca_wire {
template <class T> struct is_seq : std::false_type {};
template <class... A> struct is_seq<std::vector<A...>> : std::true_type {};
template <class... A> struct is_seq<std::deque<A...>> : std::true_type {};
template <class... A> struct is_seq<std::list<A...>> : std::true_type {};
template <class T> struct is_set : std::false_type {};
template <class... A> struct is_set<std::set<A...>> : std::true_type {};
template <class... A> struct is_set<std::multiset<A...>> : std::true_type {};
template <class... A> struct is_set<std::unordered_set<A...>> : std::true_type {};
template <class... A> struct is_set<std::unordered_multiset<A...>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class... A> struct is_map<std::map<A...>> : std::true_type {};
template <class... A> struct is_map<std::multimap<A...>> : std::true_type {};
template <class... A> struct is_map<std::unordered_map<A...>> : std::true_type {};
template <class... A> struct is_map<std::unordered_multimap<A...>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T> struct is_tuple : std::false_type {};
template <class... A> struct is_tuple<std::tuple<A...>> : std::true_type {};
template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};

/* ---------------------------------------------------------------- writing (candidate side) */
struct Out {
    char *p = nullptr;
    std::size_t len = 0, cap = 0;
};
void out_bytes(Out &o, const void *p, std::size_t n);       /* egca_rt.cc */

template <class T> void put(Out &o, const T &v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
        unsigned char b = v ? 1 : 0;
        out_bytes(o, &b, 1);
    } else if constexpr (std::is_arithmetic_v<U> || std::is_enum_v<U>) {
        out_bytes(o, &v, sizeof v);
    } else if constexpr (std::is_same_v<U, std::string>) {
        std::uint64_t n = v.size();
        out_bytes(o, &n, 8);
        out_bytes(o, v.data(), v.size());
    } else if constexpr (is_pair<U>::value) {
        put(o, v.first);
        put(o, v.second);
    } else if constexpr (is_tuple<U>::value) {
        std::apply([&](const auto &...x) { (put(o, x), ...); }, v);
    } else if constexpr (is_array<U>::value) {
        for (const auto &x : v) put(o, x);
    } else if constexpr (is_map<U>::value) {
        std::uint64_t n = v.size();
        out_bytes(o, &n, 8);
        for (const auto &kv : v) { put(o, kv.first); put(o, kv.second); }
    } else if constexpr (is_seq<U>::value || is_set<U>::value) {
        std::uint64_t n = 0;
        for (auto it = v.begin(); it != v.end(); ++it) n++;
        out_bytes(o, &n, 8);
        for (auto it = v.begin(); it != v.end(); ++it) {
            typename U::value_type x = *it;
            put(o, x);
        }
    } else {
        static_assert(sizeof(U) == 0, "egca: this type cannot cross the harness boundary");
    }
}

/* ---------------------------------------------------------------- reading (harness side) */
struct In {
    const char *p;
    std::size_t len, pos;
    void (*bad)(const char *what);   /* never returns */
    std::size_t left() const { return len - pos; }
    void take(void *dst, std::size_t n) {
        if (left() < n) bad("a truncated result");
        std::memcpy(dst, p + pos, n);
        pos += n;
    }
    std::uint64_t count() {
        std::uint64_t n;
        take(&n, 8);
        if (n > left()) bad("a count larger than its bytes");
        return n;
    }
};

template <class T> void get(In &in, T &v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
        unsigned char b;
        in.take(&b, 1);
        if (b > 1) in.bad("an invalid bool");
        v = b;
    } else if constexpr (std::is_floating_point_v<U> || std::is_integral_v<U> || std::is_enum_v<U>) {
        in.take(&v, sizeof v);
    } else if constexpr (std::is_same_v<U, std::string>) {
        std::uint64_t n = in.count();
        v.assign(in.p + in.pos, (std::size_t)n);
        in.pos += (std::size_t)n;
    } else if constexpr (is_pair<U>::value) {
        get(in, v.first);
        get(in, v.second);
    } else if constexpr (is_tuple<U>::value) {
        std::apply([&](auto &...x) { (get(in, x), ...); }, v);
    } else if constexpr (is_array<U>::value) {
        for (auto &x : v) get(in, x);
    } else if constexpr (is_map<U>::value) {
        std::uint64_t n = in.count();
        v.clear();
        for (std::uint64_t i = 0; i < n; i++) {
            typename U::key_type k{};
            typename U::mapped_type m{};
            get(in, k);
            get(in, m);
            v.emplace(std::move(k), std::move(m));
        }
    } else if constexpr (is_set<U>::value) {
        std::uint64_t n = in.count();
        v.clear();
        for (std::uint64_t i = 0; i < n; i++) {
            typename U::value_type x{};
            get(in, x);
            v.insert(std::move(x));
        }
    } else if constexpr (is_seq<U>::value) {
        std::uint64_t n = in.count();
        v.clear();
        for (std::uint64_t i = 0; i < n; i++) {
            typename U::value_type x{};
            get(in, x);
            v.push_back(std::move(x));
        }
    } else {
        static_assert(sizeof(U) == 0, "egca: this type cannot cross the harness boundary");
    }
}
}  // namespace egca_wire
#endif
