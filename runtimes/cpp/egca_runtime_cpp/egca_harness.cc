/* EGCA C++ Run harness: the trusted side of a Run (see runtimes/cpp/README.md,
 * "Trusted verdicts"). Compiled once per server (egca_harness.o); the harness
 * executable is the test code + generated stubs + this object + a static C++ library,
 * and never contains the candidate's source.
 *
 * - the runner (harness_main) forks one test process per test and alone writes the
 *   control lines on fd 3; it is non-dumpable, so nothing it forks can ptrace it or
 *   read its memory (/proc/<pid>/mem, /proc/<pid>/fd);
 * - a test process runs the test's code; each call of a program function goes to a
 *   stub, which forks a call child (egca_child.c): the child keeps only fds 0-2 and its reply pipe,
 *   unmaps the runner<->test result page and every read-only or executable segment of
 *   the harness executable (the test code and its constants: the expected values),
 *   dlopen()s the candidate's shared object and runs the generated entry, which calls
 *   the function on the arguments (fork copied them) and replies with plain bytes;
 * - the stub rebuilds the result from those bytes (egca_wire.hpp) in the test process,
 *   where the test code compares it: the candidate's code never runs there.
 * A reply that does not parse, or a child that crashes, exits or runs out of time,
 * fails the test (ERROR, TIMEOUT for the deadline). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <exception>
#include <string>
#include <typeinfo>
#include <cxxabi.h>
#include "egca_harness.hpp"
#include "egca_rt.hpp"
#include "egca_wait.h"

#define CHAN 3
#define FAILED_EXIT 86
#define EXC_EXIT 87
#define MAX_REPLY (512u << 20)
static const char TRAILER[8] = "EGCAEND";

namespace egca_h {

struct result { volatile int status; char kind[40]; char msg[600]; volatile int loc; };
enum { R_NONE, R_FAIL, R_ERROR, R_TIMEOUT };
static result *res;                 /* runner <-> test process (unmapped in call children) */
static egca_rt::Hot *hot;           /* call child -> test process: untrusted, a location and a message */
static double deadline, timeout_s;
static const char *prog_path = "./prog.so";
static Call *current;


static void write_all(int fd, const void *p, size_t n) {
    const char *c = (const char *)p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        c += w; n -= (size_t)w;
    }
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

/* Tracing the failing test after the verdicts (trace_failure below): the candidate's
 * shared object loaded in this process, and what the stubs and the test code call in it. */
static int tracing;
static void *trace_so;
static char *(*t_take_reply)(size_t *);
static void (*t_test_threw)(const char *);
static void (*t_test_assert)(const char *, int);

/* The test process records why its test failed and ends. */
[[noreturn]] static void fail(int status, const char *kind, int loc, const char *fmt, ...) {
    if (tracing) { fflush(NULL); _exit(FAILED_EXIT); }     /* no verdict page: a trace's test ends */
    va_list ap;
    va_start(ap, fmt);
    res->status = status;
    res->loc = loc;
    snprintf(res->kind, sizeof res->kind, "%s", kind);
    vsnprintf(res->msg, sizeof res->msg, fmt, ap);
    va_end(ap);
    fflush(NULL);
    _exit(FAILED_EXIT);
}

void test_fail(const char *expr, int line) {
    if (tracing) t_test_assert(expr, line);             /* aborts, as <cassert> does in a Trace */
    fail(R_FAIL, "AssertionError", -1, "assertion failed: %s (test line %d)", expr, line);
}

void bad_reply(const char *what) {
    fail(R_ERROR, "BadReply", -1, "%s() returned %s", current ? current->name : "?", what);
}

/* ------------------------------------------------------------- a call */
Call::Call(const char *n, const char *s) : fd(-1), pid(-1), buf(nullptr), len(0), cap(0), in{nullptr, 0, 0, bad_reply} {
    snprintf(name, sizeof name, "%s", n);
    snprintf(sym, sizeof sym, "%s", s);
}

Call::~Call() { free(buf); }

extern "C" [[noreturn]] void egca_child_call(const char *prog_path, const char *sym, void **args, int reply_fd,
                                             void *hot, void *res, size_t res_size);

void Call::call(void **args) {
    current = this;
    if (tracing) {          /* a direct call in this process, as the Trace executable makes it */
        void (*entry)(void **, int) = (void (*)(void **, int))dlsym(trace_so, sym);
        if (!entry) { fprintf(stderr, "egca: the program defines no entry %s\n", sym); _exit(122); }
        entry(args, -1);
        buf = t_take_reply(&len);
        in.p = buf;
        in.len = len;
        in.pos = 0;
        return;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail(R_ERROR, "ForkFailed", -1, "the harness could not call %s() (no pipe)", name);
    fflush(NULL);
    hot->last = -1; hot->depth = 0; hot->assert_where = 0; hot->assert_msg[0] = 0;
    hot->thrown_at = -1; hot->exc_set = 0; hot->exc_msg[0] = 0;
    pid_t child_pid = fork();
    if (child_pid < 0) fail(R_ERROR, "ForkFailed", -1, "the harness could not call %s() (process limit)", name);
    if (child_pid == 0) egca_child_call(prog_path, sym, args, p[1], (void *)hot, (void *)res, sizeof *res);
    close(p[1]);
    fd = p[0];
    pid = child_pid;
    /* Read the reply until EOF or until the child has ended (what it forked may hold the
     * pipe open: then what is buffered is read and the rest ignored), within the deadline. */
    double call_deadline = deadline - (timeout_s > 2 ? 0.25 : 0.1 * timeout_s);
    int timed_out = 0, status = 0, ended = 0;
    for (;;) {
        if (!ended && waitpid(pid, &status, WNOHANG) == pid) {
            ended = 1;
            fcntl(fd, F_SETFL, O_NONBLOCK);
        }
        double left = call_deadline - egca_now_s();
        if (left <= 0 && !ended) { timed_out = 1; break; }
        struct pollfd pf = {fd, POLLIN, 0};
        int r = ended ? 1 : poll(&pf, 1, left > 0.02 ? 20 : (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        if (len + 65536 > cap) {
            if (cap >= MAX_REPLY) break;
            size_t ncap = cap ? cap * 2 : 65536;
            char *b = (char *)realloc(buf, ncap);
            if (!b) break;
            buf = b; cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    while (!ended) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (timed_out || egca_now_s() >= call_deadline) {
            kill(-pid, SIGKILL); kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            timed_out = 1;
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, nullptr);
    }
    kill(-pid, SIGKILL);            /* whatever the call forked goes with it */
    int last = hot->last, in_prog = hot->depth > 0;
    int loc = in_prog && last >= 0 ? last : -1;
    if (timed_out)
        fail(R_TIMEOUT, "Timeout", loc, "the call of %s() did not finish within the run's %gs", name, timeout_s);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        char sb[32];
        if (sig == SIGXCPU || sig == SIGKILL)
            fail(R_TIMEOUT, "Timeout", loc, "the call of %s() was killed (%s: CPU time)", name, sig_name(sig, sb, sizeof sb));
        if (sig == SIGABRT && hot->assert_where == 1) {
            char am[260];
            snprintf(am, sizeof am, "%s", (const char *)hot->assert_msg);
            fail(R_ERROR, "AssertionError", last >= 0 ? last : -1, "assertion failed in the program: %s", am);
        }
        fail(R_ERROR, sig_name(sig, sb, sizeof sb), loc, "%s in the program", sig_name(sig, sb, sizeof sb));
    }
    int code = WEXITSTATUS(status);
    if (code == EXC_EXIT && hot->exc_set == 2) {
        char em[310];
        snprintf(em, sizeof em, "%s", (const char *)hot->exc_msg);
        int at = hot->thrown_at;
        fail(R_ERROR, "Exception", at >= 0 ? at : -1, "uncaught exception from %s(): %s", name, em);
    }
    if (code == 121) fail(R_ERROR, "LoadError", -1, "the program could not be loaded");
    if (code == 122) fail(R_ERROR, "NameError", -1, "the program defines no callable %s()", name);
    if (code != 0 || len < sizeof TRAILER || memcmp(buf + len - sizeof TRAILER, TRAILER, sizeof TRAILER) != 0)
        fail(R_ERROR, "Exit", loc, "the program exited with status %d during %s()", code, name);
    in.p = buf;
    in.len = len - sizeof TRAILER;
    in.pos = 0;
}

void Call::done() {
    if (in.pos != in.len) bad_reply("more than its result");
    current = nullptr;
}

/* ------------------------------------------------------------- the runner */
static std::string exception_text() {
    std::type_info *t = abi::__cxa_current_exception_type();
    std::string type = "exception";
    if (t) {
        int st = 0;
        char *d = abi::__cxa_demangle(t->name(), nullptr, nullptr, &st);
        type = d && st == 0 ? d : t->name();
        free(d);
    }
    try {
        throw;
    } catch (const std::exception &e) {
        return type + ": " + e.what();
    } catch (...) {
        return type;
    }
}

/* ------------------------------------------------------------- tracing the failing test */
/* RunRequest.trace_failure: once every verdict is out, a child of the runner loads the
 * candidate's shared object and runs the failing test again as Trace would, with events
 * on (egca_rt.cc's egca_trace_one): the stubs call the generated entries directly, a
 * failed assert aborts as <cassert>'s does, and an exception of the test code ends the
 * test as in Trace. Nothing written then is a verdict (the server reads it as the trace). */
#define MIN_TRACE_S 0.25
/* A trace gets at most this plus TRACE_FACTOR times its test's time in the run: one much
 * slower than the run it repeats is not that run (a program reading garbage, undefined
 * behaviour), and the engine then asks Trace, which gets the whole limit. */
#define TRACE_BASE_S 0.5
#define TRACE_FACTOR 4.0
static void (*traced)();

static void traced_test() {
    try {
        traced();
    } catch (...) {         /* this library's exception: its text crosses as plain chars */
        std::string t = exception_text();
        t_test_threw(t.c_str());
    }
}

/* The trace child: stdout and stderr go nowhere (the Run's output stays the tests'). */
[[noreturn]] static void trace_child(void (*test)(), double left, unsigned long long max_events) {
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); }
    closefrom(4);
    munmap((void *)res, sizeof *res);
    res = nullptr;
    trace_so = dlopen(prog_path, RTLD_NOW | RTLD_LOCAL);
    if (!trace_so) _exit(121);
    int (*entry)(void (*)(), double, unsigned long long) =
        (int (*)(void (*)(), double, unsigned long long))dlsym(trace_so, "egca_trace_failure");
    t_take_reply = (char *(*)(size_t *))dlsym(trace_so, "egca_rt_take_reply");
    t_test_threw = (void (*)(const char *))dlsym(trace_so, "egca_rt_test_threw");
    t_test_assert = (void (*)(const char *, int))dlsym(trace_so, "egca_rt_test_assert");
    if (!entry || !t_take_reply || !t_test_threw || !t_test_assert) _exit(123);
    tracing = 1;
    traced = test;
    _exit(entry(traced_test, left, max_events));
}

/* Trace test i after the verdicts: the marker line, then the trace child's lines on fd 3. */
static void trace_failure(void (*test)(), int i, double test_wall, unsigned long long max_events,
                          const sigset_t *old, const sigset_t *chld) {
    double left = deadline - egca_now_s();
    if (left < MIN_TRACE_S) return;          /* too little time: the engine asks Trace instead */
    if (left > TRACE_BASE_S + TRACE_FACTOR * test_wall) left = TRACE_BASE_S + TRACE_FACTOR * test_wall;
    double until = egca_now_s() + left;
    char line[64];
    int n = snprintf(line, sizeof line, "{\"t\":\"trace\",\"i\":%d}\n", i);
    write_all(CHAN, line, (size_t)n);
    fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        setpgid(0, 0);
        sigprocmask(SIG_SETMASK, old, nullptr);
        trace_child(test, left - (left > 1 ? 0.1 * left : 0.1), max_events);  /* it ends before we give up */
    }
    setpgid(pid, pid);
    int status;
    egca_wait_child(pid, until, chld, &status);
}

/* argv: run <deadline_ms> [program.so [trace_failure max events]].
 * fd 3: ready, start/result per test, done; with a trace asked for and a test that
 * failed, {"t":"trace","i":n} and that test's trace (trace_failure). */
int harness_main(int argc, char **argv, void (*const *tests)(), int ntests) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc < 3) { fprintf(stderr, "egca: usage: run deadline_ms [program.so]\n"); return 2; }
    timeout_s = atof(argv[2]) / 1000.0;
    deadline = egca_now_s() + timeout_s;
    if (argc > 3) prog_path = argv[3];
    unsigned long long trace_events = argc > 4 ? strtoull(argv[4], nullptr, 10) : 0;
    int first_error = -1, first_fail = -1, timed = 0;
    double error_wall = 0, fail_wall = 0;
    void *m1 = mmap(nullptr, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    void *m2 = mmap(nullptr, sizeof *hot, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m1 == MAP_FAILED || m2 == MAP_FAILED) { fprintf(stderr, "egca: mmap failed\n"); return 3; }
    res = (result *)m1;
    hot = (egca_rt::Hot *)m2;
    write_all(CHAN, "{\"t\":\"ready\"}\n", 14);
    signal(SIGPIPE, SIG_IGN);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    char line[2048];
    for (int i = 0; i < ntests; i++) {
        int n = snprintf(line, sizeof line, "{\"t\":\"start\",\"i\":%d}\n", i);
        write_all(CHAN, line, (size_t)n);
        memset((void *)res, 0, sizeof *res);
        res->loc = -1;
        fflush(nullptr);
        double t0 = egca_now_s();
        pid_t pid = fork();
        if (pid < 0) {
            n = snprintf(line, sizeof line, "{\"t\":\"result\",\"i\":%d,\"s\":\"ERROR\",\"kind\":\"ForkFailed\","
                         "\"msg\":\"the harness could not start the test (process limit)\"}\n", i);
            write_all(CHAN, line, (size_t)n);
            break;
        }
        if (pid == 0) {
            setpgid(0, 0);
            sigprocmask(SIG_SETMASK, &old, nullptr);
            srand(0);
            try {
                tests[i]();
            } catch (...) {
                std::string t = exception_text();
                fail(R_FAIL, "Exception", -1, "uncaught exception in test code: %s", t.c_str());
            }
            fflush(nullptr);
            _exit(0);
        }
        setpgid(pid, pid);
        int status = 0;
        int timed_out = egca_wait_child(pid, deadline, &chld, &status);
        double wall = egca_now_s() - t0;
        const char *st = "PASS";
        char kind[48] = "", msg[700] = "", sb[32];
        int loc = -1;
        if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == FAILED_EXIT && res->status != R_NONE) {
            st = res->status == R_FAIL ? "FAIL" : res->status == R_TIMEOUT ? "TIMEOUT" : "ERROR";
            snprintf(kind, sizeof kind, "%s", res->kind);
            snprintf(msg, sizeof msg, "%s", res->msg);
            loc = res->loc;
        } else if (timed_out) {
            st = "TIMEOUT"; strcpy(kind, "Timeout");
            snprintf(msg, sizeof msg, "the test did not finish within %gs", timeout_s);
        } else if (WIFSIGNALED(status)) {
            const char *name = sig_name(WTERMSIG(status), sb, sizeof sb);
            st = "FAIL"; snprintf(kind, sizeof kind, "%s", name);
            snprintf(msg, sizeof msg, "%s in test code (after the program returned)", name);
        } else if (WEXITSTATUS(status) != 0) {
            st = "FAIL"; strcpy(kind, "Exit");
            snprintf(msg, sizeof msg, "the test exited with status %d", WEXITSTATUS(status));
        }
        char jm[1500];
        size_t o = 0;
        jm[o++] = '"';
        for (const char *s = msg; *s && o + 8 < sizeof jm; s++) {
            unsigned char ch = (unsigned char)*s;
            if (ch == '"' || ch == '\\') { jm[o++] = '\\'; jm[o++] = (char)ch; }
            else if (ch < 0x20 || ch >= 0x7f) o += (size_t)snprintf(jm + o, sizeof jm - o, "\\u%04x", ch);
            else jm[o++] = (char)ch;
        }
        jm[o++] = '"'; jm[o] = 0;
        for (char *k = kind; *k; k++) if (*k == '"' || *k == '\\' || (unsigned char)*k < 0x20) *k = '?';
        char locs[24];
        if (loc >= 0) snprintf(locs, sizeof locs, "%d", loc); else strcpy(locs, "null");
        n = snprintf(line, sizeof line, "{\"t\":\"result\",\"i\":%d,\"s\":\"%s\",\"kind\":\"%s\",\"msg\":%s,\"loc\":%s,"
                     "\"wall\":%.6f}\n", i, st, kind, jm, locs, wall);
        write_all(CHAN, line, (size_t)n);
        if (st[0] == 'E' && first_error < 0) { first_error = i; error_wall = wall; }
        if (st[0] == 'F' && first_fail < 0) { first_fail = i; fail_wall = wall; }
        if (strcmp(st, "TIMEOUT") == 0) { timed = 1; break; }
    }
    write_all(CHAN, "{\"t\":\"done\"}\n", 13);
    /* the test a failure is localized on: the first that crashed, or with none crashed or
     * timed out, the first that failed */
    int pick = first_error >= 0 ? first_error : timed ? -1 : first_fail;
    if (trace_events && pick >= 0)
        trace_failure(tests[pick], pick, pick == first_error ? error_wall : fail_wall, trace_events, &old, &chld);
    return 0;
}
}  // namespace egca_h
