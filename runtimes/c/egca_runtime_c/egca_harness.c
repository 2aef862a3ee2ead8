/* EGCA C Run harness: the trusted side of a Run (see runtimes/c/README.md,
 * "Trusted verdicts"). Built as libegca_harness.so; the harness executable is
 * the test code + generated stubs + this library, and never contains the
 * candidate's source.
 *
 * - the runner (egca_harness_main) forks one test process per test and writes
 *   every control line on fd 3; it is non-dumpable, so nothing it forks can
 *   ptrace it or read its memory;
 * - a test process runs the test's code; each call of a program function goes
 *   to a stub, which forks a call child: the child closes every fd but 0-2 and
 *   its reply pipe (as fd 3), unmaps the test code and its constants, dlopen()s
 *   the candidate's shared object, calls the real function with the same
 *   arguments and writes the result back; the stub rebuilds it from plain bytes;
 * - malloc & co. are defined here (global scope: the candidate binds to them)
 *   and record block sizes, so a returned block is copied whole.
 * Nothing the call child writes is trusted: a reply that does not parse, or a
 * child that crashes, exits or runs out of time, fails the test. */
#define _GNU_SOURCE
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
#include "egca_harness.h"
#include "egca_no_processes.h"
#include "egca_wait.h"

#define CHAN 3
#define FAILED_EXIT 86          /* a test process that recorded its failure in the result page */
#define MAX_REPLY (512u << 20)
static const char TRAILER[8] = "EGCAEND";

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

/* ------------------------------------------------------------- heap table */
#define HSLOTS (1u << 18)
struct hblock { const void *p; size_t n; unsigned gen; };
static struct hblock *heap;
static unsigned gen = 1;
static size_t hslot(const void *p) { return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 46) & (HSLOTS - 1); }
static void hadd(const void *p, size_t n) {
    if (!p) return;
    if (!heap) { heap = __libc_calloc(HSLOTS, sizeof *heap); if (!heap) return; }
    size_t i = hslot(p);
    for (size_t k = 0; k < 64; k++, i = (i + 1) & (HSLOTS - 1))
        if (heap[i].p == NULL || heap[i].p == (const void *)1 || heap[i].p == p) { heap[i].p = p; heap[i].n = n; heap[i].gen = gen; return; }
}
static struct hblock *hfind(const void *p) {
    if (!heap || !p) return NULL;
    size_t i = hslot(p);
    for (size_t k = 0; k < 64; k++, i = (i + 1) & (HSLOTS - 1)) {
        if (heap[i].p == p) return &heap[i];
        if (heap[i].p == NULL) return NULL;
    }
    return NULL;
}
static void hdel(const void *p) { struct hblock *b = hfind(p); if (b) { b->p = (const void *)1; b->n = 0; } }

void *malloc(size_t n) { void *p = __libc_malloc(n ? n : 1); hadd(p, n); return p; }
void *calloc(size_t n, size_t m) {
    if (m && n > (size_t)-1 / m) { errno = ENOMEM; return NULL; }
    void *p = __libc_calloc(n ? n : 1, m ? m : 1); hadd(p, n * m); return p;
}
void *realloc(void *q, size_t n) {
    void *p = __libc_realloc(q, n ? n : 1);
    if (!p) return p;
    if (q) hdel(q);
    hadd(p, n);
    return p;
}
void free(void *p) { if (p) hdel(p); __libc_free(p); }
char *strdup(const char *s) { size_t n = strlen(s) + 1; char *p = malloc(n); if (p) memcpy(p, s, n); return p; }
char *strndup(const char *s, size_t m) {
    size_t n = strnlen(s, m); char *p = malloc(n + 1); if (p) { memcpy(p, s, n); p[n] = 0; } return p;
}

/* ------------------------------------------------------------- shared state */
struct result { volatile int status; char kind[40]; char msg[600]; volatile int loc; };
enum { R_NONE, R_FAIL, R_ERROR, R_TIMEOUT };
static struct result *res;          /* runner <-> test process (unmapped in call children) */
static struct egca_hot *hot;        /* call child -> test process: untrusted, only a location */
static double deadline, timeout_s;
static const char *prog_path = "./prog.so";
struct range { uintptr_t a, b; };
static struct range sealed[8];      /* test code and constants: unmapped in call children */
static int nsealed;


static void write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        c += w; n -= (size_t)w;
    }
}

static int in_sealed(const void *p) {
    for (int i = 0; i < nsealed; i++) if ((uintptr_t)p >= sealed[i].a && (uintptr_t)p < sealed[i].b) return 1;
    return 0;
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

/* The test process records why its test failed and ends. */
static void __attribute__((noreturn)) fail(int status, const char *kind, int loc, const char *fmt, ...) {
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

/* ------------------------------------------------------------- tracing the failing test */
/* RunRequest.trace_failure: once every verdict is out, a child of the runner loads the
 * candidate's shared object and runs the failing test again as Trace would, with events
 * on (egca_rt.c's egca_trace_one): the stubs call the program directly, the test's heap is
 * the program's allocator's, and a failed assert aborts as the program's assert.h does.
 * Nothing written then is a verdict (the server reads it as the trace alone). */
#define MIN_TRACE_S 0.25
/* A trace gets at most this plus TRACE_FACTOR times its test's time in the run: one much
 * slower than the run it repeats is not that run (a program reading garbage, undefined
 * behaviour), and the engine then asks Trace, which gets the whole limit. */
#define TRACE_BASE_S 0.5
#define TRACE_FACTOR 4.0
int egca_tracing;
static void *trace_so;
static struct egca_hot **trace_hot;
static void *(*t_malloc)(size_t);
static void *(*t_calloc)(size_t, size_t);
static void *(*t_realloc)(void *, size_t);
static void (*t_free)(void *);
static char *(*t_strdup)(const char *);

void *egca_direct(const char *name) {
    void *f = dlsym(trace_so, name);
    if (!f) { fprintf(stderr, "egca: the program defines no callable %s()\n", name); _exit(122); }
    return f;
}

void *egca_t_malloc(size_t n) { return egca_tracing ? t_malloc(n) : malloc(n); }
void *egca_t_calloc(size_t n, size_t m) { return egca_tracing ? t_calloc(n, m) : calloc(n, m); }
void *egca_t_realloc(void *p, size_t n) { return egca_tracing ? t_realloc(p, n) : realloc(p, n); }
void egca_t_free(void *p) { if (egca_tracing) t_free(p); else free(p); }
char *egca_t_strdup(const char *s) { return egca_tracing ? t_strdup(s) : strdup(s); }

void egca_test_fail(const char *expr, int line) {
    if (egca_tracing) {
        struct egca_hot *h = *trace_hot;
        h->assert_where = 2;
        h->assert_line = line;
        snprintf((char *)h->assert_msg, sizeof h->assert_msg, "%s", expr);
        abort();
    }
    fail(R_FAIL, "AssertionError", -1, "assertion failed: %s (test line %d)", expr, line);
}

/* ------------------------------------------------------------- the stubs' side */
void egca_call_start(struct egca_call *c, const char *name) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->pid = -1;
}

static void reg(struct egca_call *c, int i, const void *p, size_t n) {
    if (i < 0 || i >= EGCA_MAX_ARGS) return;
    c->reg[i].p = p; c->reg[i].n = n;
}

static size_t str_len(const char *s) { return s ? strlen(s) + 1 : 0; }

void egca_reg_str(struct egca_call *c, int i, const char *s) { reg(c, i, s, str_len(s)); }

void egca_reg_ptr(struct egca_call *c, int i, const void *p, size_t elsz, long count) {
    struct hblock *b = hfind(p);
    size_t n = b ? b->n : (count >= 0 ? (size_t)count * elsz : elsz);
    if (count > (1l << 24)) n = elsz;
    reg(c, i, p, p ? n : 0);
}

static long strv_count(const char *const *v, long count) {
    if (!v) return 0;
    if (count >= 0) return count > (1l << 20) ? 0 : count;
    long k = 0;
    while (k < 4096 && v[k]) k++;
    return k + 1;                      /* the terminating NULL too */
}

void egca_reg_strv(struct egca_call *c, int i, const char *const *v, long count) {
    long k = strv_count(v, count);
    reg(c, i, v, (size_t)k * sizeof *v);
    for (long j = 0; j < k && c->nextra < EGCA_MAX_EXTRA; j++)
        if (v[j]) { c->extra[c->nextra].p = v[j]; c->extra[c->nextra].n = str_len(v[j]); c->nextra++; }
}

/* A pointer the child may hand back as "the same address": inside an argument. */
static int known_region(struct egca_call *c, uintptr_t a) {
    for (int i = 0; i < EGCA_MAX_ARGS; i++)
        if (c->reg[i].p && a >= (uintptr_t)c->reg[i].p && a < (uintptr_t)c->reg[i].p + c->reg[i].n) return 1;
    for (int i = 0; i < c->nextra; i++)
        if (a >= (uintptr_t)c->extra[i].p && a < (uintptr_t)c->extra[i].p + c->extra[i].n) return 1;
    return 0;
}

int egca_fork(struct egca_call *c) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail(R_ERROR, "ForkFailed", -1, "the harness could not call %s() (no pipe)", c->name);
    fflush(NULL);
    hot->last = -1; hot->depth = 0; hot->assert_where = 0; hot->assert_msg[0] = 0;
    gen++;                              /* blocks allocated from now on are the call's */
    pid_t pid = fork();
    if (pid < 0) fail(R_ERROR, "ForkFailed", -1, "the harness could not call %s() (process limit)", c->name);
    if (pid > 0) { close(p[1]); c->fd = p[0]; c->pid = pid; return 0; }
    /* the call child: only stdout, stderr and the reply pipe (as fd 3) stay open */
    setpgid(0, 0);
    dup2(p[1], CHAN);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) { dup2(devnull, 0); }
    closefrom(4);
    c->fd = CHAN;
    munmap(res, sizeof *res);
    res = NULL;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    egca_no_processes();                /* before the program is loaded: its constructors too */
    return 1;
}

static void *child_copy(struct egca_call *c, const void *orig, size_t n) {
    void *p = __libc_malloc(n ? n : 1);
    if (!p) _exit(120);
    memcpy(p, orig, n);
    if (c->nmoved < EGCA_MAX_EXTRA) {
        c->moved[c->nmoved].copy = p; c->moved[c->nmoved].orig = orig; c->moved[c->nmoved].n = n; c->nmoved++;
    }
    return p;
}

/* Arguments that point into the memory about to be unmapped (string literals of the test) are copied. */
void egca_move_str(struct egca_call *c, char **s) {
    if (*s && in_sealed(*s)) *s = child_copy(c, *s, strlen(*s) + 1);
}

void egca_move_strv(struct egca_call *c, char ***v, long count) {
    if (!*v) return;
    long k = strv_count((const char *const *)*v, count);
    char **copy = child_copy(c, *v, (size_t)k * sizeof(char *));
    for (long j = 0; j < k; j++) if (copy[j]) egca_move_str(c, &copy[j]);
    *v = copy;
}

void egca_seal(struct egca_call *c) {
    (void)c;
    for (int i = 0; i < nsealed; i++) munmap((void *)sealed[i].a, sealed[i].b - sealed[i].a);
}

void *egca_load(struct egca_call *c) {
    void *h = dlopen(prog_path, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "egca: cannot load the program: %s\n", dlerror()); _exit(121); }
    void (*attach)(struct egca_hot *) = (void (*)(struct egca_hot *))dlsym(h, "egca_rt_attach");
    if (attach) attach(hot);
    void *f = dlsym(h, c->name);
    if (!f) { fprintf(stderr, "egca: the program defines no callable %s()\n", c->name); _exit(122); }
    c->so = h;
    srand(0);
    return f;
}

static void put(struct egca_call *c, const void *p, size_t n) {
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        while (cap < c->len + n) cap *= 2;
        char *b = __libc_realloc(c->buf, cap);
        if (!b) _exit(120);
        c->buf = b; c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

void egca_put(struct egca_call *c, const void *p, size_t n) { put(c, p, n); }

enum { T_NULL, T_SAME, T_BLOCK, T_BAD };

static void put_tag(struct egca_call *c, unsigned char tag, uint64_t v) { put(c, &tag, 1); put(c, &v, 8); }

static int from_so(struct egca_call *c, const void *p) {
    Dl_info di;
    struct link_map *lm = NULL;
    if (!dladdr1(p, &di, (void **)&lm, RTLD_DL_LINKMAP) || !lm || !c->so) return 0;
    struct link_map *mine = NULL;
    dlinfo(c->so, RTLD_DI_LINKMAP, &mine);
    return lm == mine;
}

/* A returned pointer: NULL; an address inside an argument (same address in the caller);
 * a block the call allocated (copied whole); for strings, one in the program's own
 * memory (copied); anything else is refused (it would point into the harness). */
void egca_put_ptr(struct egca_call *c, const void *r, size_t elsz, int kind) {
    if (!r) { put_tag(c, T_NULL, 0); return; }
    for (int i = 0; i < c->nmoved; i++) {
        uintptr_t a = (uintptr_t)c->moved[i].copy;
        if ((uintptr_t)r >= a && (uintptr_t)r < a + c->moved[i].n + (c->moved[i].n == 0)) {
            put_tag(c, T_SAME, (uint64_t)((uintptr_t)c->moved[i].orig + ((uintptr_t)r - a)));
            return;
        }
    }
    struct hblock *b = hfind(r);
    if (b && b->gen == gen) {
        put_tag(c, T_BLOCK, b->n);
        if (kind == EGCA_STRV) {
            size_t k = b->n / sizeof(char *);
            const char *const *v = r;
            for (size_t j = 0; j < k; j++) egca_put_ptr(c, v[j], 1, EGCA_STR);
        } else {
            put(c, r, b->n);
        }
        return;
    }
    if (known_region(c, (uintptr_t)r)) { put_tag(c, T_SAME, (uint64_t)(uintptr_t)r); return; }
    if (kind == EGCA_STR && from_so(c, r)) {
        size_t n = strlen(r) + 1;
        put_tag(c, T_BLOCK, n);
        put(c, r, n);
        return;
    }
    (void)elsz;
    put_tag(c, T_BAD, 0);
}

/* An argument the function may write through: its bytes after the call. */
void egca_put_out(struct egca_call *c, int i, const void *p) {
    size_t n = c->reg[i].n;
    const void *src = p;
    for (int m = 0; m < c->nmoved; m++) if (c->moved[m].copy == p) { src = p; n = c->moved[m].n; }
    if (!p || !n) { put_tag(c, T_NULL, 0); return; }
    put_tag(c, T_BLOCK, n);
    put(c, src, n);
}

void egca_end(struct egca_call *c) {
    put(c, TRAILER, sizeof TRAILER);
    write_all(CHAN, c->buf, c->len);
    _exit(0);
}

/* ------------------------------------------------------------- the caller's side */
static int grow(struct egca_call *c) {
    if (c->len + 65536 <= c->cap) return 1;
    if (c->cap >= MAX_REPLY) return 0;
    size_t cap = c->cap ? c->cap * 2 : 65536;
    char *b = realloc(c->buf, cap);
    if (!b) return 0;
    c->buf = b; c->cap = cap;
    return 1;
}

/* Read the reply until EOF or until the child has ended (what it forked may hold the
 * pipe open: then what is buffered is read and the rest ignored), within the deadline. */
void egca_wait(struct egca_call *c) {
    double call_deadline = deadline - (timeout_s > 2 ? 0.25 : 0.1 * timeout_s);
    int timed_out = 0, status = 0, ended = 0;
    for (;;) {
        if (!ended && waitpid(c->pid, &status, WNOHANG) == c->pid) {
            ended = 1;
            fcntl(c->fd, F_SETFL, O_NONBLOCK);
        }
        double left = call_deadline - egca_now_s();
        if (left <= 0 && !ended) { timed_out = 1; break; }
        struct pollfd pf = {c->fd, POLLIN, 0};
        int r = ended ? 1 : poll(&pf, 1, left > 0.02 ? 20 : (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        if (!grow(c)) break;
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        c->len += (size_t)n;
    }
    close(c->fd);
    while (!ended) {
        pid_t w = waitpid(c->pid, &status, WNOHANG);
        if (w == c->pid) break;
        if (timed_out || egca_now_s() >= call_deadline) {
            kill(-c->pid, SIGKILL); kill(c->pid, SIGKILL);
            waitpid(c->pid, &status, 0);
            timed_out = 1;
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(-c->pid, SIGKILL);            /* whatever the call forked goes with it */
    int last = hot->last, in_prog = hot->depth > 0;
    int loc = in_prog && last >= 0 ? last : -1;
    if (timed_out)
        fail(R_TIMEOUT, "Timeout", loc, "the call of %s() did not finish within the run's %gs", c->name, timeout_s);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        char sb[32];
        if (sig == SIGXCPU || sig == SIGKILL)
            fail(R_TIMEOUT, "Timeout", loc, "the call of %s() was killed (%s: CPU time)", c->name, sig_name(sig, sb, sizeof sb));
        if (sig == SIGABRT && hot->assert_where == 1) {
            char am[260];
            snprintf(am, sizeof am, "%s", (const char *)hot->assert_msg);
            fail(R_ERROR, "AssertionError", last >= 0 ? last : -1, "assertion failed in the program: %s", am);
        }
        fail(R_ERROR, sig_name(sig, sb, sizeof sb), loc, "%s in the program", sig_name(sig, sb, sizeof sb));
    }
    int code = WEXITSTATUS(status);
    if (code == 121) fail(R_ERROR, "LoadError", -1, "the program could not be loaded");
    if (code == 122) fail(R_ERROR, "NameError", -1, "the program defines no callable %s()", c->name);
    if (code != 0 || c->len < sizeof TRAILER || memcmp(c->buf + c->len - sizeof TRAILER, TRAILER, sizeof TRAILER) != 0)
        fail(R_ERROR, "Exit", loc, "the program exited with status %d during %s()", code, c->name);
    c->len -= sizeof TRAILER;
    c->pos = 0;
}

static void bad(struct egca_call *c, const char *what) {
    fail(R_ERROR, "BadReply", -1, "%s() returned %s", c->name, what);
}

static void get(struct egca_call *c, void *p, size_t n) {
    if (c->len - c->pos < n) bad(c, "a truncated result");
    memcpy(p, c->buf + c->pos, n);
    c->pos += n;
}

void egca_get(struct egca_call *c, void *p, size_t n) { get(c, p, n); }

void egca_get_bool(struct egca_call *c, void *p) {
    unsigned char b;
    get(c, &b, 1);
    if (b > 1) bad(c, "an invalid bool");
    *(_Bool *)p = b;
}

static unsigned char get_tag(struct egca_call *c, uint64_t *v) {
    unsigned char t;
    get(c, &t, 1);
    get(c, v, 8);
    return t;
}

void *egca_get_ptr(struct egca_call *c, int kind) {
    uint64_t v;
    unsigned char t = get_tag(c, &v);
    if (t == T_NULL) return NULL;
    if (t == T_SAME) {
        if (!known_region(c, (uintptr_t)v)) bad(c, "a pointer outside its arguments");
        return (void *)(uintptr_t)v;
    }
    if (t != T_BLOCK) bad(c, "a pointer into memory the harness cannot copy");
    if (v > c->len - c->pos && kind != EGCA_STRV) bad(c, "a truncated block");
    if (kind == EGCA_STRV) {
        size_t k = (size_t)v / sizeof(char *);
        if (k > c->len) bad(c, "a truncated block");
        char **out = malloc(v ? (size_t)v : 1);
        for (size_t j = 0; j < k; j++) out[j] = egca_get_ptr(c, EGCA_STR);
        return out;
    }
    char *out = malloc(v ? (size_t)v : 1);
    get(c, out, (size_t)v);
    if (kind == EGCA_STR && (v == 0 || out[v - 1] != 0)) bad(c, "an unterminated string");
    return out;
}

void egca_get_out(struct egca_call *c, int i, void *p) {
    uint64_t v;
    unsigned char t = get_tag(c, &v);
    size_t n = c->reg[i].n;
    if (t == T_NULL && (!p || !n)) return;
    if (t != T_BLOCK || v != n || !p) bad(c, "an argument of another size");
    if (in_sealed(p)) { c->pos += n; return; }
    get(c, p, n);
}

void egca_done(struct egca_call *c) {
    if (c->pos != c->len) bad(c, "more than its result");
    free(c->buf);
    c->buf = NULL;
}

/* ------------------------------------------------------------- the runner */
static int find_sealed(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    if (info->dlpi_name && info->dlpi_name[0]) return 0;      /* the executable only */
    long pg = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum && nsealed < 6; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        /* read-only data after the code (.rodata: the test's literals), never the first
         * segment (ELF header, dynamic symbols the loader still needs) */
        if (ph->p_type != PT_LOAD || ph->p_flags != PF_R || ph->p_offset == 0) continue;
        uintptr_t a = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(pg - 1);
        uintptr_t b = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(uintptr_t)(pg - 1);
        sealed[nsealed].a = a; sealed[nsealed].b = b; nsealed++;
    }
    return 1;
}

/* The trace child: stdout and stderr go nowhere (the Run's output stays the tests'). */
static void __attribute__((noreturn)) trace_child(void (*test)(void), double left, unsigned long long max_events) {
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); }
    closefrom(4);
    munmap(res, sizeof *res);
    res = NULL;
    trace_so = dlopen(prog_path, RTLD_NOW | RTLD_LOCAL);
    if (!trace_so) _exit(121);
    int (*entry)(void (*)(void), double, unsigned long long) =
        (int (*)(void (*)(void), double, unsigned long long))dlsym(trace_so, "egca_trace_failure");
    trace_hot = (struct egca_hot **)dlsym(trace_so, "egca_hot");
    t_malloc = (void *(*)(size_t))dlsym(trace_so, "egca_malloc");
    t_calloc = (void *(*)(size_t, size_t))dlsym(trace_so, "egca_calloc");
    t_realloc = (void *(*)(void *, size_t))dlsym(trace_so, "egca_realloc");
    t_free = (void (*)(void *))dlsym(trace_so, "egca_free");
    t_strdup = (char *(*)(const char *))dlsym(trace_so, "egca_strdup");
    if (!entry || !trace_hot || !t_malloc || !t_calloc || !t_realloc || !t_free || !t_strdup) _exit(123);
    egca_tracing = 1;
    _exit(entry(test, left, max_events));
}

/* Trace test i after the verdicts: the marker line, then the trace child's lines on fd 3. */
static void trace_failure(void (*test)(void), int i, double test_wall, unsigned long long max_events,
                          const sigset_t *old, const sigset_t *chld) {
    double left = deadline - egca_now_s();
    if (left < MIN_TRACE_S) return;          /* too little time: the engine asks Trace instead */
    if (left > TRACE_BASE_S + TRACE_FACTOR * test_wall) left = TRACE_BASE_S + TRACE_FACTOR * test_wall;
    double until = egca_now_s() + left;
    char line[64];
    int n = snprintf(line, sizeof line, "{\"t\":\"trace\",\"i\":%d}\n", i);
    write_all(CHAN, line, (size_t)n);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        setpgid(0, 0);
        sigprocmask(SIG_SETMASK, old, NULL);
        trace_child(test, left - (left > 1 ? 0.1 * left : 0.1), max_events);  /* it ends before we give up */
    }
    setpgid(pid, pid);
    int status;
    egca_wait_child(pid, until, chld, &status);
}

/* argv: run <deadline_ms> [program.so [trace_failure max events]].
 * fd 3: ready, start/result per test, done; with a trace asked for and a test that
 * failed, {"t":"trace","i":n} and that test's trace (trace_failure). */
int egca_harness_main(int argc, char **argv, void (*const *tests)(void), int ntests,
                      const void *code_start, const void *code_end) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc < 3) { fprintf(stderr, "egca: usage: run deadline_ms [program.so]\n"); return 2; }
    timeout_s = atof(argv[2]) / 1000.0;
    deadline = egca_now_s() + timeout_s;
    if (argc > 3) prog_path = argv[3];
    unsigned long long trace_events = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    int first_error = -1, first_fail = -1, timed = 0;
    double error_wall = 0, fail_wall = 0;
    res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    hot = mmap(NULL, sizeof *hot, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED || hot == MAP_FAILED) { fprintf(stderr, "egca: mmap failed\n"); return 3; }
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)code_start + pg - 1) & ~(uintptr_t)(pg - 1), b = (uintptr_t)code_end & ~(uintptr_t)(pg - 1);
    if (b > a) { sealed[0].a = a; sealed[0].b = b; nsealed = 1; }
    dl_iterate_phdr(find_sealed, NULL);
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
        memset(res, 0, sizeof *res);
        res->loc = -1;
        fflush(NULL);
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
            sigprocmask(SIG_SETMASK, &old, NULL);
            srand(0);
            tests[i]();
            fflush(NULL);
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
        if (strcmp(st, "TIMEOUT") == 0) { timed = 1; break; }   /* the run's time is spent: later tests are not run */
    }
    write_all(CHAN, "{\"t\":\"done\"}\n", 13);
    /* the test a failure is localized on: the first that crashed, or with none crashed or
     * timed out, the first that failed */
    int traced = first_error >= 0 ? first_error : timed ? -1 : first_fail;
    if (trace_events && traced >= 0)
        trace_failure(tests[traced], traced, traced == first_error ? error_wall : fail_wall, trace_events, &old, &chld);
    return 0;
}
