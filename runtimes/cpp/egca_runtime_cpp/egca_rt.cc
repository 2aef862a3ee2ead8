/* EGCA C++ tracer runtime: event encoding (the kit's child protocol, see
 * egca_kit.protocol), the exception bookkeeping and the Trace runner (one forked
 * child per test, control lines and events on fd 3).
 *
 * Events are written by the test's child into a MAP_SHARED buffer and flushed to
 * fd 3 in chunks; what the child had not flushed when it died is flushed by the
 * parent, so no event is lost on a crash (a line cut mid-write is ended and dropped).
 *
 * Linked into the candidate's shared object for Run too, where `on` stays 0 and
 * only the statement position (hot) and the exception in flight are kept. */
#include <cxxabi.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <exception>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include "egca_rt.hpp"
#include "egca_wire.hpp"
#include "egca_no_processes.h"
#include "egca_wait.h"

#define CHAN 3
#define STR_CAP 1000
#define BUF_CAP (8u << 20)
#define FLUSH_AT (64u << 10)
#define EXC_EXIT 87

namespace egca_rt {

struct Shared {
    Hot hot;
    volatile unsigned long long nevents, max_events;
    volatile int truncated;
    volatile int exc_kind;        /* 0 none, 1 from the program, 2 from the test code */
    volatile char exc_text[320];
    volatile size_t len, flushed;
    char buf[];
};

static Shared *sh;
static Hot dummy_hot;
Hot *hot = &dummy_hot;
int on;
int nest;
static unsigned long frames;
static size_t bind_mark, value_mark;
static int first_binding;
static const char *close_ev = "]\n";
static const char *const *fnames;
static const char *const *bkinds;
static int func_base, cond_base;
static char local_buf[1 << 16];
static size_t local_len;
static std::exception_ptr current;

/* ------------------------------------------------------------- output */
static void write_all(const char *p, size_t n) {
    while (n) {
        ssize_t w = write(CHAN, p, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        p += w; n -= (size_t)w;
    }
}

static void flush_buf() {
    if (!sh) return;
    size_t len = sh->len, done = sh->flushed;
    sh->flushed = len;
    if (len > done) write_all(sh->buf + done, len - done);
}

static void out(const char *s, size_t n) {
    if (!sh) {   /* Run mode: events are never written; keep the encoder harmless */
        if (local_len + n > sizeof local_buf) local_len = 0;
        if (n > sizeof local_buf) return;
        memcpy(local_buf + local_len, s, n);
        local_len += n;
        return;
    }
    if (sh->len + n + 64 > BUF_CAP) {
        flush_buf();
        sh->len = sh->flushed = 0;
        bind_mark = value_mark = 0;
        if (n + 64 > BUF_CAP) n = BUF_CAP - 64;
    }
    memcpy(sh->buf + sh->len, s, n);
    sh->len += n;
}
static void outs(const char *s) { out(s, strlen(s)); }
static size_t cur_len() { return sh ? sh->len : local_len; }
static const char *cur_buf() { return sh ? sh->buf : local_buf; }
static void set_len(size_t n) { if (sh) sh->len = n; else local_len = n; }

static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++) if ((s[i] & 0xC0) != 0x80) return 0;
    if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;
    if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return k;
}

static void json_chars(const unsigned char *s, size_t n) {
    char tmp[8];
    out("\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') { tmp[0] = '\\'; tmp[1] = (char)c; out(tmp, 2); }
        else if (c < 0x20 || c == 0x7f) { snprintf(tmp, sizeof tmp, "\\u%04x", c); out(tmp, 6); }
        else if (c < 0x80) out((const char *)&c, 1);
        else {
            size_t k = utf8_len(s + i, n - i);
            if (k) { out((const char *)s + i, k); i += k - 1; }
            else out("\\ufffd", 6);
        }
    }
    out("\"", 1);
}

/* A JSON string; one longer than the cap is ["s", prefix, length]. */
void out_str(const char *s, size_t n) {
    if (n > STR_CAP) {
        out("[\"s\",", 5);
        json_chars((const unsigned char *)s, STR_CAP);
        char t[32];
        int m = snprintf(t, sizeof t, ",%zu]", n);
        out(t, (size_t)m);
        return;
    }
    json_chars((const unsigned char *)s, n);
}

/* A C string read without faulting (process_vm_readv on ourselves). */
void out_cstr(const char *s) {
    unsigned char tmp[STR_CAP + 1];
    size_t got = 0;
    uintptr_t a = (uintptr_t)s;
    while (got < sizeof tmp) {
        size_t room = 4096 - ((a + got) & 4095);
        if (room > sizeof tmp - got) room = sizeof tmp - got;
        struct iovec l = {tmp + got, room}, r = {(void *)(a + got), room};
        ssize_t k = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
        if (k <= 0) break;
        got += (size_t)k;
        if (memchr(tmp + got - (size_t)k, 0, (size_t)k)) break;
    }
    size_t n = 0;
    while (n < got && tmp[n]) n++;
    if (n < got) { out_str((const char *)tmp, n); return; }
    if (got == sizeof tmp) { out("[\"s\",", 5); json_chars(tmp, STR_CAP); outs(",1001]"); return; }
    out_opaque("<char* unterminated>");
}

void out_opaque(const char *what) { outs("[\"x\",\""); outs(what); outs("\"]"); }

static char *fmt_ull(char *end, unsigned long long v) {
    do { *--end = (char)('0' + v % 10); v /= 10; } while (v);
    return end;
}
#define BIG (1ull << 53)
void out_ull(unsigned long long v) {
    char t[40]; char *e = t + sizeof t, *b = e;
    if (v >= BIG) { *--b = ']'; *--b = '"'; }
    b = fmt_ull(b, v);
    if (v >= BIG) { *--b = '"'; *--b = ','; *--b = '"'; *--b = 'i'; *--b = '"'; *--b = '['; }
    out(b, (size_t)(e - b));
}
void out_ll(long long v) {
    char t[40]; char *e = t + sizeof t, *b = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    if (u >= BIG) { *--b = ']'; *--b = '"'; }
    b = fmt_ull(b, u);
    if (v < 0) *--b = '-';
    if (u >= BIG) { *--b = '"'; *--b = ','; *--b = '"'; *--b = 'i'; *--b = '"'; *--b = '['; }
    out(b, (size_t)(e - b));
}
void out_d(long double v) {
    char t[48]; int n;
    if (isnan(v)) n = snprintf(t, sizeof t, "[\"f\",\"nan\"]");
    else if (isinf(v)) n = snprintf(t, sizeof t, v > 0 ? "[\"f\",\"inf\"]" : "[\"f\",\"-inf\"]");
    else {
        n = snprintf(t, sizeof t, "%.17g", (double)v);
        if (!strpbrk(t, ".en")) { t[n++] = '.'; t[n++] = '0'; t[n] = 0; }
    }
    out(t, (size_t)n);
}

void raw(const char *s) { outs(s); }
void sep() { out(",", 1); }
void list_begin(const char *type, size_t n) {
    nest++;
    char t[96];
    int m = snprintf(t, sizeof t, "[\"l\",\"%s\",%zu,[", type, n);
    out(t, (size_t)m);
}
void map_begin(const char *type, size_t n) {
    nest++;
    char t[96];
    int m = snprintf(t, sizeof t, "[\"m\",\"%s\",%zu,[", type, n);
    out(t, (size_t)m);
}
void obj_begin(const char *type) { nest++; outs("[\"o\","); json_chars((const unsigned char *)type, strlen(type)); outs(",["); }
void field(int index, const char *name) {
    if (index) out(",", 1);
    out("[\"", 2); outs(name); out("\",", 2);
}
void close2() { outs("]]"); nest--; }

/* ------------------------------------------------------------- events */
unsigned long enter() { hot->depth++; return ++frames; }
void leave(int saved_last) { hot->depth--; hot->last = saved_last; }

/* An event's head: ["K",<range index>,<frame>,<depth>, ...; ev_end closes it.
 * S: [bindings]; C: "name", [bindings]; R/E: value. */
void ev(int kind, int id, unsigned long frame) {
    char tmp[112];
    char *e = tmp + sizeof tmp, *b = e;
    int idx = id;
    const char *name = NULL;
    nest = 0;
    if (kind == 'S') { *--b = '['; close_ev = "]]\n"; }
    else if (kind == 'C') { close_ev = "]]\n"; idx = func_base + id; name = fnames ? fnames[id] : "?"; }
    else { close_ev = "]\n"; if (kind == 'E') idx = func_base + id; }
    *--b = ',';
    int d = hot->depth;
    b = fmt_ull(b, (unsigned long long)(d < 0 ? -(long long)d : d)); if (d < 0) *--b = '-';
    *--b = ','; b = fmt_ull(b, frame);
    *--b = ','; b = fmt_ull(b, (unsigned long long)(idx < 0 ? -(long long)idx : idx)); if (idx < 0) *--b = '-';
    *--b = ','; *--b = '"'; *--b = (char)(kind == 'E' ? 'R' : kind); *--b = '"'; *--b = '[';
    out(b, (size_t)(e - b));
    if (name) { out("\"", 1); outs(name); out("\",[", 3); }
    first_binding = 1;
}

void ev_end() {
    outs(close_ev);
    if (!sh) { local_len = 0; return; }
    sh->nevents++;
    if (sh->nevents >= sh->max_events) { on = 0; sh->truncated = 1; }
    if (sh->len - sh->flushed >= FLUSH_AT) { flush_buf(); sh->len = sh->flushed = 0; }
}

void branch(int id, unsigned long frame, int taken) {
    if (!on) return;
    ev('B', cond_base + id, frame);
    outs(taken ? "true,\"" : "false,\"");
    outs(bkinds && bkinds[id] ? bkinds[id] : "if");
    outs("\"");
    close_ev = "]\n";
    ev_end();
}

void bind(const char *name) {
    bind_mark = cur_len();
    if (!first_binding) out(",", 1);
    out("[\"", 2); outs(name); out("\",", 2);
    value_mark = cur_len();
    nest = 0;
}

/* Keep a binding only when its encoding differs from the last one in this frame's slot. */
void bend(unsigned long long *slot) {
    unsigned long long h = 1469598103934665603ull;
    const char *buf = cur_buf();
    for (size_t i = value_mark, n = cur_len(); i < n; i++) { h ^= (unsigned char)buf[i]; h *= 1099511628211ull; }
    if (h == 0) h = 1;
    if (slot && *slot == h) { set_len(bind_mark); return; }
    if (slot) *slot = h;
    out("]", 1);
    first_binding = 0;
}

/* ------------------------------------------------------------- exceptions */
static std::string demangle(const char *name) {
    int status = 0;
    char *d = abi::__cxa_demangle(name, NULL, NULL, &status);
    std::string s = d && status == 0 ? d : name;
    free(d);
    return s;
}

static std::string exception_text() {
    std::type_info *t = abi::__cxa_current_exception_type();
    std::string type = t ? demangle(t->name()) : std::string("exception");
    try {
        throw;
    } catch (const std::exception &e) {
        return type + ": " + e.what();
    } catch (...) {
        return type;
    }
}

static void copy_text(volatile char *dst, size_t cap, const std::string &s) {
    size_t n = s.size() < cap - 1 ? s.size() : cap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = s[i];
    dst[n] = 0;
}

/* Called by every instrumented function's handler as an exception leaves it: the
 * first frame it leaves is where it was thrown (Run reports that statement). */
void exc(unsigned long frame) {
    std::exception_ptr p = std::current_exception();
    int sid = hot->last;
    std::string text = exception_text();
    if (!(p == current)) {
        current = p;
        hot->thrown_at = sid;
        hot->exc_set = 1;
        copy_text(hot->exc_msg, sizeof hot->exc_msg, text);
    }
    if (!on) return;
    ev('X', sid, frame);
    json_chars((const unsigned char *)text.data(), text.size() > 600 ? 600 : text.size());
    close_ev = "]\n";
    ev_end();
}

/* Whether the exception in flight is the one the program let escape (else: test code's). */
static bool from_program() {
    return hot->exc_set && std::current_exception() == current;
}

}  // namespace egca_rt

using namespace egca_rt;

/* Replaces glibc's: records where the failed assert is (program or test code). */
extern "C" __attribute__((weak)) void __assert_fail(const char *expr, const char *file, unsigned int line,
                                                     const char *func) noexcept {
    (void)func;
    hot->assert_where = (file && strcmp(file, "<test>") == 0) ? 2 : 1;
    hot->assert_line = (int)line;
    snprintf((char *)hot->assert_msg, sizeof hot->assert_msg, "%s", expr ? expr : "");
    abort();
}

/* Run: the candidate's shared object reports its position into the harness's page. */
extern "C" void egca_rt_attach(Hot *h) { hot = h; on = 0; }

static int direct;
[[noreturn]] static void test_threw(const std::string &test_text);

/* Run: an exception escaping the function the harness called (the generated wrapper's
 * handler): recorded in the page, and the call ends with a distinct status. Tracing a
 * Run's failing test (direct calls), the test ends as in Trace, which no handler of the
 * test code would have caught either way (a Run's test never sees the exception). */
extern "C" void egca_rt_escaped() {
    if (direct) test_threw(exception_text());
    if (!from_program()) {
        hot->thrown_at = -1;
        copy_text(hot->exc_msg, sizeof hot->exc_msg, exception_text());
    }
    hot->exc_set = 2;
    fflush(NULL);
    _exit(EXC_EXIT);
}

/* ------------------------------------------------------------- runner */

static void json_str(char *dst, size_t cap, const char *s) {
    size_t o = 0;
    dst[o++] = '"';
    for (; *s && o + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { dst[o++] = '\\'; dst[o++] = (char)c; }
        else if (c < 0x20 || c >= 0x7f) o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", c);
        else dst[o++] = (char)c;
    }
    dst[o++] = '"';
    dst[o] = 0;
}

static const char *sig_name(int sig, char *buf, size_t cap) {
    static const struct { int n; const char *s; } names[] = {
        {SIGSEGV, "SIGSEGV"}, {SIGFPE, "SIGFPE"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGILL, "SIGILL"},
        {SIGKILL, "SIGKILL"}, {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGTERM, "SIGTERM"}, {SIGPIPE, "SIGPIPE"},
        {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"}, {SIGINT, "SIGINT"}, {SIGHUP, "SIGHUP"}, {SIGALRM, "SIGALRM"},
        {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"}, {SIGQUIT, "SIGQUIT"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (names[i].n == sig) return names[i].s;
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/* The test's child ends on an exception that no one caught: the program's (the one it
 * let escape) or the test code's, told apart by the runner from exc_kind. */
[[noreturn]] static void test_threw(const std::string &test_text) {
    on = 0;
    bool prog = from_program();
    sh->exc_kind = prog ? 1 : 2;
    copy_text(sh->exc_text, sizeof sh->exc_text, prog ? std::string((const char *)hot->exc_msg) : test_text);
    fflush(NULL);
    flush_buf();
    _exit(EXC_EXIT);
}

/* Run one test in a forked child with events on: fd 3 gets {"t":"start","i":label}, its
 * events, an "X" event for a crash at a known statement of the program, and
 * {"t":"result"}. Returns 1 when the test ran out of time (the run's time is spent),
 * -1 when it could not start. */
static int run_test(void (*test)(), int label, double timeout, double deadline, unsigned long long max_events,
                    const sigset_t *old, sigset_t *chld) {
    sh->hot.last = -1; sh->hot.depth = 0; sh->hot.thrown_at = -1; sh->hot.exc_set = 0;
    sh->hot.assert_where = 0; sh->hot.assert_line = 0; sh->hot.assert_msg[0] = 0;
    sh->nevents = 0; sh->max_events = max_events ? max_events : 1; sh->truncated = 0;
    sh->exc_kind = 0; sh->exc_text[0] = 0;
    sh->len = sh->flushed = 0;
    char line[1536];
    int n = snprintf(line, sizeof line, "{\"t\":\"start\",\"i\":%d}\n", label);
    write_all(line, (size_t)n);
    fflush(NULL);
    double t0 = egca_now_s();
    pid_t pid = fork();
    if (pid < 0) {
        n = snprintf(line, sizeof line, "{\"t\":\"result\",\"i\":%d,\"s\":\"ERROR\",\"kind\":\"ForkFailed\","
                     "\"msg\":\"ForkFailed: the runner could not start the test (process limit)\"}\n", label);
        write_all(line, (size_t)n);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        sigprocmask(SIG_SETMASK, old, NULL);
        egca_no_processes();            /* as in a Run's call: the program starts no process */
        srand(0);
        on = 1;
        try {
            test();
        } catch (...) {
            test_threw(from_program() ? std::string() : exception_text());
        }
        fflush(NULL);
        on = 0;
        flush_buf();
        _exit(0);
    }
    setpgid(pid, pid);
    int status = 0;
    int timed_out = egca_wait_child(pid, deadline, chld, &status);
    double wall = egca_now_s() - t0;
    flush_buf();
    if (sh->len > 0 && sh->buf[sh->len - 1] != '\n') write_all("\n", 1);   /* a line cut by the child's end */
    int code = 0, last = sh->hot.last, in_program = sh->hot.depth > 0, where = sh->hot.assert_where;
    int sig = 0;
    if (!timed_out && WIFSIGNALED(status)) {
        sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL) timed_out = 1;
    } else if (!timed_out) code = WEXITSTATUS(status);
    const char *st = "PASS", *kind = "";
    char msg[700] = "", sbuf[32], am[330];
    int located = 0, emit_x = 1;
    snprintf(am, sizeof am, "%s", (const char *)sh->hot.assert_msg);
    if (timed_out) {
        st = "TIMEOUT"; kind = "Timeout"; located = in_program;
        snprintf(msg, sizeof msg, "the test did not finish within %gs", timeout);
    } else if (sig) {
        const char *name = sig_name(sig, sbuf, sizeof sbuf);
        if (sig == SIGABRT && where == 2) {
            st = "FAIL"; kind = "AssertionError"; snprintf(msg, sizeof msg, "assertion failed: %s", am);
        } else if (sig == SIGABRT && where == 1) {
            st = "ERROR"; kind = "AssertionError"; located = 1;
            snprintf(msg, sizeof msg, "assertion failed in the program: %s", am);
        } else if (in_program) {
            st = "ERROR"; kind = name; located = 1; snprintf(msg, sizeof msg, "%s in the program", name);
        } else {
            st = "FAIL"; kind = name; snprintf(msg, sizeof msg, "%s in test code (after the program returned)", name);
        }
    } else if (code == EXC_EXIT && sh->exc_kind) {
        snprintf(am, sizeof am, "%s", (const char *)sh->exc_text);
        if (sh->exc_kind == 1) {
            st = "ERROR"; kind = "Exception"; located = 1; emit_x = 0; last = sh->hot.thrown_at;
            snprintf(msg, sizeof msg, "uncaught exception from the program: %s", am);
        } else {
            st = "FAIL"; kind = "Exception";
            snprintf(msg, sizeof msg, "uncaught exception in test code: %s", am);
        }
    } else if (code != 0) {
        kind = "Exit";
        if (in_program) { st = "ERROR"; located = 1; snprintf(msg, sizeof msg, "the program exited with status %d", code); }
        else { st = "FAIL"; snprintf(msg, sizeof msg, "the test exited with status %d", code); }
    }
    if (located && last < 0) located = 0;
    char full[800], jm[1300], loc[24];
    if (*kind) snprintf(full, sizeof full, "%s: %s", kind, msg); else full[0] = 0;
    json_str(jm, sizeof jm, full);
    if (located) snprintf(loc, sizeof loc, "%d", last); else strcpy(loc, "null");
    if (located && emit_x && strcmp(st, "ERROR") == 0) {
        n = snprintf(line, sizeof line, "[\"X\",%s,0,0,%s]\n", loc, jm);
        write_all(line, (size_t)n);
    }
    n = snprintf(line, sizeof line, "{\"t\":\"result\",\"i\":%d,\"s\":\"%s\",\"kind\":\"%s\",\"msg\":%s,\"loc\":%s,"
                 "\"wall\":%.6f,\"truncated\":%s}\n", label, st, kind, jm, loc, wall, sh->truncated ? "true" : "false");
    write_all(line, (size_t)n);
    return timed_out;
}

/* The program's tables and the shared event buffer; SIGCHLD blocked (the runner waits on it). */
static int setup(const char *const *func_names, int nstmts, int nfuncs, const char *const *branch_kinds,
                 sigset_t *chld, sigset_t *old) {
    fnames = func_names; bkinds = branch_kinds;
    func_base = nstmts; cond_base = nstmts + nfuncs;
    void *m = mmap(NULL, sizeof(Shared) + BUF_CAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { fprintf(stderr, "egca: mmap failed\n"); return -1; }
    sh = (Shared *)m;
    hot = &sh->hot;
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(chld);
    sigaddset(chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, chld, old);
    return 0;
}

/* argv: trace <deadline_ms> <max_events> <test index>...
 * fd 3: ready; per test run_test's lines (i: the index's place in argv); finally done. */
extern "C" int egca_main(int argc, char **argv, void (*const *tests)(), int ntests, const char *const *func_names,
                         int nstmts, int nfuncs, const char *const *branch_kinds) {
    if (argc < 4) { fprintf(stderr, "egca: usage: trace deadline_ms max_events index...\n"); return 2; }
    double timeout = atof(argv[2]) / 1000.0;
    double deadline = egca_now_s() + timeout;
    unsigned long long max_events = strtoull(argv[3], NULL, 10);
    sigset_t chld, old;
    if (setup(func_names, nstmts, nfuncs, branch_kinds, &chld, &old) < 0) return 3;
    write_all("{\"t\":\"ready\"}\n", 14);
    for (int a = 4; a < argc; a++) {
        int idx = atoi(argv[a]);
        if (idx < 0 || idx >= ntests) continue;
        int r = run_test(tests[idx], a - 4, timeout, deadline, max_events, &old, &chld);
        if (r < 0) return 4;
        if (r) return 0;   /* the run's time is spent: later tests are not run */
    }
    write_all("{\"t\":\"done\"}\n", 13);
    return 0;
}

/* ------------------------------------------------------------- Run's trace of its failing test */
/* RunRequest.trace_failure (egca_harness.cc): a child of the Run harness loaded this
 * shared object and runs the failing test as Trace runs it (its own child, events on,
 * within the time the run has left; its lines go to fd 3 as test 0's). The harness's
 * stubs then call the generated entries in that process (direct calls): a reply is handed
 * back instead of written, and an exception that escapes the program ends the test as
 * it ends a Trace's. */
static egca_wire::Out direct_reply;

extern "C" int egca_trace_one(void (*test)(), double left_s, unsigned long long max_events,
                              const char *const *func_names, int nstmts, int nfuncs,
                              const char *const *branch_kinds) {
    sigset_t chld, old;
    if (setup(func_names, nstmts, nfuncs, branch_kinds, &chld, &old) < 0) return 3;
    direct = 1;
    return run_test(test, 0, left_s, egca_now_s() + left_s, max_events, &old, &chld) < 0 ? 4 : 0;
}

/* The reply of the last direct call (the caller frees it with free()). */
extern "C" char *egca_rt_take_reply(size_t *len) {
    char *p = direct_reply.p;
    *len = direct_reply.len;
    direct_reply = egca_wire::Out();
    return p;
}

/* An uncaught exception of the test code (the harness caught it: it has its own C++ library). */
extern "C" void egca_rt_test_threw(const char *text) { test_threw(text); }

/* A failed assert in the test code, as <cassert>'s assert in a Trace's test reports it. */
extern "C" void egca_rt_test_assert(const char *expr, int line) {
    hot->assert_where = 2;
    hot->assert_line = line;
    snprintf((char *)hot->assert_msg, sizeof hot->assert_msg, "%s", expr ? expr : "");
    abort();
}

/* ------------------------------------------------------------- Run replies */
namespace egca_wire {
void out_bytes(Out &o, const void *p, size_t n) {
    if (o.len + n > o.cap) {
        size_t cap = o.cap ? o.cap * 2 : 4096;
        while (cap < o.len + n) cap *= 2;
        char *b = (char *)realloc(o.p, cap);
        if (!b) _exit(120);
        o.p = b; o.cap = cap;
    }
    memcpy(o.p + o.len, p, n);
    o.len += n;
}
}  // namespace egca_wire

/* The call's reply (result, then the arguments it may have changed) and its trailer;
 * the call child ends here. */
extern "C" void egca_rt_reply(egca_wire::Out *o, int fd) {
    if (direct) {                 /* a direct call: the stub takes the bytes (egca_rt_take_reply) */
        free(direct_reply.p);
        direct_reply = *o;
        *o = egca_wire::Out();
        return;
    }
    static const char trailer[8] = "EGCAEND";
    egca_wire::out_bytes(*o, trailer, sizeof trailer);
    fflush(NULL);
    const char *p = o->p;
    size_t n = o->len;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; break; }
        p += w; n -= (size_t)w;
    }
    _exit(0);
}
