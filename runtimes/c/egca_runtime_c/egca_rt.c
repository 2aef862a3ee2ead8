/* EGCA C tracer runtime: event encoding, safe memory reads, heap bookkeeping,
 * and the test runner (one forked child per test, results on fd 3).
 *
 * Events are written by the test's child into a MAP_SHARED buffer and flushed
 * to fd 3 in chunks; whatever the child had not flushed when it died (signal,
 * timeout kill) is flushed by the parent, so no event is lost on a crash.
 * Every line starts with the event's number so the reader can drop a chunk
 * written twice (child killed between write(2) and recording it). */
#define _GNU_SOURCE
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
#include "egca_rt.h"

#define CHAN 3
#define STR_CAP 1000        /* bytes of a string kept */
#define LIST_CAP 64         /* items of an array kept */
#define BUF_CAP (8u << 20)  /* shared event buffer */
#define FLUSH_AT (64u << 10)
#define MAX_DEPTH_VALUES 4  /* nesting of printed values */

struct shared {
    struct egca_hot hot;
    volatile int assert_where;          /* 0 none, 1 program, 2 test */
    volatile int assert_line;
    char assert_msg[512];
    volatile unsigned long long nevents;
    volatile unsigned long long max_events;
    volatile int truncated;
    volatile size_t len, flushed;
    char buf[];
};

static struct shared *sh;
static struct egca_hot dummy_hot;
struct egca_hot *egca_hot = &dummy_hot;
int egca_on;
static unsigned long frames;
static size_t bind_mark, value_mark;
static int first_binding;
static int nest;

/* ------------------------------------------------------------- output */
static void write_all(const char *p, size_t n) {
    while (n) {
        ssize_t w = write(CHAN, p, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        p += w; n -= (size_t)w;
    }
}

static void flush_buf(void) {
    size_t len = sh->len, done = sh->flushed;
    if (len > done) write_all(sh->buf + done, len - done);
    sh->flushed = len;
}

static void out(const char *s, size_t n) {
    if (sh->len + n + 64 > BUF_CAP) {
        /* flush everything written so far and restart at the buffer's start */
        flush_buf();
        sh->len = sh->flushed = 0;
        bind_mark = value_mark = 0;
        if (n + 64 > BUF_CAP) n = BUF_CAP - 64;
    }
    memcpy(sh->buf + sh->len, s, n);
    sh->len += n;
}
static void outs(const char *s) { out(s, strlen(s)); }

static void out_str(const unsigned char *s, size_t n, int truncated) {
    char tmp[8];
    out("\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') { tmp[0] = '\\'; tmp[1] = (char)c; out(tmp, 2); }
        else if (c < 0x20 || c == 0x7f) { snprintf(tmp, sizeof tmp, "\\u%04x", c); out(tmp, 6); }
        else out((const char *)&c, 1);
    }
    out("\"", 1);
    (void)truncated;
}

/* ------------------------------------------------------------- safe reads */
/* Pages known readable. A page, once readable, stays readable unless memory is
 * given back to the system, which only free/realloc do here (the program's own
 * munmap is not followed); they bump the epoch, which empties the cache. So a
 * read of known pages is a plain memcpy and the syscall is paid once per page. */
#define PAGE_SLOTS 1024
static uintptr_t page_ok[PAGE_SLOTS];       /* page number + 1, 0 = empty */
static unsigned long page_epoch, heap_epoch;

static int pages_known(uintptr_t a, size_t n) {
    if (page_epoch != heap_epoch) { memset(page_ok, 0, sizeof page_ok); page_epoch = heap_epoch; return 0; }
    for (uintptr_t pg = a >> 12, last = (a + n - 1) >> 12; pg <= last; pg++)
        if (page_ok[pg & (PAGE_SLOTS - 1)] != pg + 1) return 0;
    return 1;
}

static void pages_learn(uintptr_t a, size_t got) {
    if (!got) return;
    for (uintptr_t pg = a >> 12, last = (a + got - 1) >> 12; pg <= last; pg++)
        page_ok[pg & (PAGE_SLOTS - 1)] = pg + 1;
}

/* Copy up to n bytes from p without faulting: process_vm_readv on ourselves
 * stops at the first unreadable page (one iovec per page, as partial reads
 * never split an iovec). Returns the bytes copied. */
static size_t safe_read(void *dst, const void *src, size_t n) {
    if (!src || !n) return 0;
    if ((uintptr_t)src + n < (uintptr_t)src) return 0;
    if (pages_known((uintptr_t)src, n)) { memcpy(dst, src, n); return n; }
    struct iovec local = {dst, n};
    struct iovec remote[64];
    size_t cnt = 0, off = 0;
    uintptr_t a = (uintptr_t)src;
    while (off < n && cnt < 64) {
        size_t room = 4096 - ((a + off) & 4095);
        if (room > n - off) room = n - off;
        remote[cnt].iov_base = (void *)(a + off);
        remote[cnt].iov_len = room;
        cnt++; off += room;
    }
    local.iov_len = off;
    ssize_t r = process_vm_readv(getpid(), &local, 1, remote, cnt, 0);
    if (r <= 0) return 0;
    /* only whole pages that were read are learnt (the last may be partial) */
    pages_learn(a, (size_t)r);
    return (size_t)r;
}

/* ------------------------------------------------------------- heap table */
/* Blocks from the program's malloc/calloc/realloc, so that a pointer to a
 * block's start can be shown as the block's contents. Memory comes zeroed:
 * no uninitialised (or address-dependent) bytes ever reach a trace. */
#define HEAP_SLOTS 65536
static struct { const void *p; size_t n; } heap[HEAP_SLOTS];
static size_t hslot(const void *p) { return ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 48; }
static void heap_add(const void *p, size_t n) {
    if (!p) return;
    size_t i = hslot(p);
    for (size_t k = 0; k < 64; k++, i = (i + 1) & (HEAP_SLOTS - 1))
        if (heap[i].p == NULL || heap[i].p == p) { heap[i].p = p; heap[i].n = n; return; }
}
static long heap_size(const void *p) {
    size_t i = hslot(p);
    for (size_t k = 0; k < 64; k++, i = (i + 1) & (HEAP_SLOTS - 1)) {
        if (heap[i].p == p) return (long)heap[i].n;
        if (heap[i].p == NULL) return -1;
    }
    return -1;
}
static void heap_del(const void *p) {
    size_t i = hslot(p);
    for (size_t k = 0; k < 64; k++, i = (i + 1) & (HEAP_SLOTS - 1))
        if (heap[i].p == p) { heap[i].p = (const void *)1; heap[i].n = 0; return; }  /* tombstone */
}
void *egca_malloc(size_t n) { void *p = calloc(1, n ? n : 1); heap_add(p, n); return p; }
void *egca_calloc(size_t n, size_t m) { void *p = calloc(n ? n : 1, m ? m : 1); if (p) heap_add(p, n * m); return p; }
void *egca_realloc(void *q, size_t n) {
    long old = q ? heap_size(q) : 0;
    heap_epoch++;
    void *p = realloc(q, n ? n : 1);
    if (!p) return p;
    if (q) heap_del(q);
    if (old >= 0 && (size_t)old < n) memset((char *)p + old, 0, n - (size_t)old);
    heap_add(p, n);
    return p;
}
void egca_free(void *p) { if (p) { heap_del(p); heap_epoch++; } free(p); }
char *egca_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = egca_malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static char *fmt_ull(char *end, unsigned long long v);

/* ------------------------------------------------------------- events */
unsigned long egca_enter(void) { egca_hot->depth++; return ++frames; }
void egca_leave(int saved_last) { egca_hot->depth--; egca_hot->last = saved_last; }

void egca_ev(int kind, int id, unsigned long frame) {
    /* "<n>\t<kind>\t<id>\t<frame>\t<depth>\t[" built right to left */
    char tmp[112];
    char *e = tmp + sizeof tmp, *b = e;
    *--b = '['; *--b = '\t';
    int d = egca_hot->depth;
    b = fmt_ull(b, (unsigned long long)(d < 0 ? -(long long)d : d)); if (d < 0) *--b = '-';
    *--b = '\t'; b = fmt_ull(b, frame);
    *--b = '\t'; b = fmt_ull(b, (unsigned long long)(id < 0 ? -(long long)id : id)); if (id < 0) *--b = '-';
    *--b = '\t'; *--b = (char)kind; *--b = '\t';
    b = fmt_ull(b, sh->nevents);
    out(b, (size_t)(e - b));
    first_binding = 1;
    nest = 0;
}

void egca_ev_end(void) {
    out("]\n", 2);
    sh->nevents++;
    if (sh->nevents >= sh->max_events) { egca_on = 0; sh->truncated = 1; }
    if (sh->len - sh->flushed >= FLUSH_AT) { flush_buf(); sh->len = sh->flushed = 0; }
}

void egca_branch(int id, unsigned long frame, int taken) {
    if (!egca_on) return;
    egca_ev('B', id, frame);
    outs(taken ? "1" : "0");
    egca_ev_end();
}

void egca_bind(const char *name) {
    bind_mark = sh->len;
    if (!first_binding) out(",", 1);
    out("[\"", 2); outs(name); out("\",", 2);
    value_mark = sh->len;
}

/* End a binding: keep it only when its encoding differs from the last one
 * recorded in this frame's slot (FNV-1a hash of the encoded value). */
void egca_bend(unsigned long long *slot) {
    unsigned long long h = 1469598103934665603ull;
    for (size_t i = value_mark; i < sh->len; i++) { h ^= (unsigned char)sh->buf[i]; h *= 1099511628211ull; }
    if (h == 0) h = 1;
    if (slot && *slot == h) { sh->len = bind_mark; return; }
    if (slot) *slot = h;
    out("]", 1);
    first_binding = 0;
}

void egca_raw(const char *s) { outs(s); }
void egca_obj_begin(const char *type_name) {
    nest++;
    outs("{\"o\":\""); outs(type_name); outs("\",\"f\":[");
}
void egca_field(int index, const char *name) {
    if (index) out(",", 1);
    out("[\"", 2); outs(name); out("\",", 2);
}
void egca_obj_end(void) { outs("]}"); nest--; }

/* ------------------------------------------------------------- printers */
/* Decimal digits by hand: snprintf per value was a large share of an event's cost. */
static char *fmt_ull(char *end, unsigned long long v) {
    do { *--end = (char)('0' + v % 10); v /= 10; } while (v);
    return end;
}
static void out_ull(unsigned long long v) { char t[24]; char *b = fmt_ull(t + sizeof t, v); out(b, (size_t)(t + sizeof t - b)); }
static void out_ll(long long v) {
    char t[24];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *b = fmt_ull(t + sizeof t, u);
    if (v < 0) *--b = '-';
    out(b, (size_t)(t + sizeof t - b));
}
static void out_d(long double v) {
    char t[48]; int n;
    if (isnan(v)) n = snprintf(t, sizeof t, "{\"f\":\"nan\"}");
    else if (isinf(v)) n = snprintf(t, sizeof t, v > 0 ? "{\"f\":\"inf\"}" : "{\"f\":\"-inf\"}");
    else n = snprintf(t, sizeof t, "{\"f\":%.17g}", (double)v);
    out(t, (size_t)n);
}
void egca_p_bool(const void *p) { outs(*(const _Bool *)p ? "true" : "false"); }
void egca_p_char(const void *p) { out_ll(*(const char *)p); }
void egca_p_schar(const void *p) { out_ll(*(const signed char *)p); }
void egca_p_uchar(const void *p) { out_ll(*(const unsigned char *)p); }
void egca_p_short(const void *p) { out_ll(*(const short *)p); }
void egca_p_ushort(const void *p) { out_ll(*(const unsigned short *)p); }
void egca_p_int(const void *p) { out_ll(*(const int *)p); }
void egca_p_uint(const void *p) { out_ull(*(const unsigned int *)p); }
void egca_p_long(const void *p) { out_ll(*(const long *)p); }
void egca_p_ulong(const void *p) { out_ull(*(const unsigned long *)p); }
void egca_p_llong(const void *p) { out_ll(*(const long long *)p); }
void egca_p_ullong(const void *p) { out_ull(*(const unsigned long long *)p); }
void egca_p_float(const void *p) { out_d(*(const float *)p); }
void egca_p_double(const void *p) { out_d(*(const double *)p); }
void egca_p_ldouble(const void *p) { out_d(*(const long double *)p); }
void egca_p_other(const void *p) { (void)p; outs("{\"p\":\"<value>\"}"); }

/* A C string: NUL-terminated within the readable bytes (and within its heap
 * block when the pointer is a block start), else shown as opaque. */
static void print_cstr(const char *s) {
    if (!s) { outs("null"); return; }
    unsigned char tmp[STR_CAP + 1];
    long block = heap_size(s);
    size_t want = STR_CAP + 1;
    if (block >= 0 && (size_t)block < want) want = (size_t)block;
    size_t got = safe_read(tmp, s, want);
    size_t n = 0;
    while (n < got && tmp[n]) n++;
    if (n < got) { out_str(tmp, n, 0); return; }
    if (got == STR_CAP + 1) { out_str(tmp, STR_CAP, 1); return; }   /* longer than the cap */
    outs("{\"p\":\"<char* unterminated>\"}");
}
void egca_p_str(const void *p) { print_cstr(*(const char *const *)p); }

/* A pointer to a heap block's start shows the block as a list; any other
 * pointer is opaque (no addresses ever leave the process). */
static void print_heap(const void *q, size_t elsz, void (*pr)(const void *), const char *what) {
    if (!q) { outs("null"); return; }
    long block = heap_size(q);
    if (block < 0 || nest >= MAX_DEPTH_VALUES) { outs("{\"p\":\"<"); outs(what); outs(">\"}"); return; }
    egca_parr(q, (long)((size_t)block / elsz), elsz, pr);
}
#define PTR_PRINTER(name, T, elem)                                                            \
    void egca_p_##name(const void *p) { print_heap(*(T *const *)p, sizeof(T), egca_p_##elem, #T "*"); }
PTR_PRINTER(pint, int, int)
PTR_PRINTER(puint, unsigned int, uint)
PTR_PRINTER(plong, long, long)
PTR_PRINTER(pulong, unsigned long, ulong)
PTR_PRINTER(pllong, long long, llong)
PTR_PRINTER(pullong, unsigned long long, ullong)
PTR_PRINTER(pshort, short, short)
PTR_PRINTER(pdouble, double, double)
PTR_PRINTER(pfloat, float, float)
PTR_PRINTER(pbool, _Bool, bool)
PTR_PRINTER(pstr, char *, str)
void egca_p_pvoid(const void *p) { outs(*(void *const *)p ? "{\"p\":\"<void*>\"}" : "null"); }

/* An array of known length held in this process's memory (declared T a[N]). */
void egca_arr(const void *base, size_t n, size_t elsz, void (*pr)(const void *), int is_char) {
    if (is_char) {
        const unsigned char *s = base;
        size_t k = 0;
        while (k < n && s[k]) k++;
        if (k < n) { out_str(s, k > STR_CAP ? STR_CAP : k, k > STR_CAP); return; }
    }
    nest++;
    outs("{\"l\":[");
    size_t shown = n < LIST_CAP ? n : LIST_CAP;
    for (size_t i = 0; i < shown; i++) {
        if (i) out(",", 1);
        if (nest > MAX_DEPTH_VALUES) outs("{\"p\":\"<...>\"}");
        else pr((const char *)base + i * elsz);
    }
    char t[48];
    int m = snprintf(t, sizeof t, "],\"n\":%zu}", n);
    out(t, (size_t)m);
    nest--;
}

/* An array reached through a pointer whose length the instrumenter inferred
 * (a pointer parameter followed by a length parameter, or a heap block):
 * copied with safe reads first, as the length is only a guess. */
void egca_parr(const void *base, long n, size_t elsz, void (*pr)(const void *)) {
    if (!base) { outs("null"); return; }
    if (n < 0) n = 0;
    size_t shown = (size_t)n < LIST_CAP ? (size_t)n : LIST_CAP;
    if (elsz > 4096) shown = 0;
    unsigned char tmp[LIST_CAP * 64];
    size_t per = elsz ? sizeof tmp / elsz : 0;
    if (shown > per) shown = per;
    size_t got = safe_read(tmp, base, shown * elsz) / (elsz ? elsz : 1);
    nest++;
    outs("{\"l\":[");
    for (size_t i = 0; i < got; i++) {
        if (i) out(",", 1);
        if (nest > MAX_DEPTH_VALUES) outs("{\"p\":\"<...>\"}");
        else pr(tmp + i * elsz);
    }
    char t[48];
    int m = snprintf(t, sizeof t, "],\"n\":%ld}", got < shown ? (long)got : n);
    out(t, (size_t)m);
    nest--;
}

/* A pointer parameter without a length (an out-parameter such as `int *out_n`): the
 * value it points to; a heap block's start is shown as the block, like any pointer. */
void egca_pderef(const void *p, size_t elsz, void (*pr)(const void *)) {
    if (!p) { outs("null"); return; }
    long block = heap_size(p);
    if (block >= 0) { egca_parr(p, (long)((size_t)block / (elsz ? elsz : 1)), elsz, pr); return; }
    unsigned char tmp[256] __attribute__((aligned(16)));
    if (elsz == 0 || elsz > sizeof tmp || safe_read(tmp, p, elsz) < elsz) { outs("{\"p\":\"<pointer>\"}"); return; }
    pr(tmp);
}

/* ------------------------------------------------------------- asserts */
/* Replaces glibc's: records where the failed assert is (program or test code). */
void __assert_fail(const char *expr, const char *file, unsigned int line, const char *func) {
    (void)func;
    if (sh) {
        sh->assert_where = (file && strcmp(file, "<test>") == 0) ? 2 : 1;
        sh->assert_line = (int)line;
        snprintf(sh->assert_msg, sizeof sh->assert_msg, "%s", expr ? expr : "");
    }
    abort();
}

/* ------------------------------------------------------------- runner */
static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clean_msg(char *s) { for (; *s; s++) if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' '; }

/* argv: run|trace <deadline_ms> <max_events> <test index>...
 * One result line per test on fd 3:
 *   #T <index> <how> <code> <last stmt> <depth> <assert where> <assert line> <wall s> <truncated> <message>
 * how: exit (code = exit status), signal (code = signal), timeout. */
int egca_main(int argc, char **argv, void (*const *tests)(void), int ntests) {
    if (argc < 4) { fprintf(stderr, "egca: usage: run|trace deadline_ms max_events index...\n"); return 2; }
    int tracing = strcmp(argv[1], "trace") == 0;
    double deadline = now_s() + atof(argv[2]) / 1000.0;
    unsigned long long max_events = strtoull(argv[3], NULL, 10);
    sh = mmap(NULL, sizeof(struct shared) + BUF_CAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) { fprintf(stderr, "egca: mmap failed\n"); return 3; }
    egca_hot = &sh->hot;
    write_all("#R\n", 3);
    signal(SIGPIPE, SIG_IGN);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    for (int a = 4; a < argc; a++) {
        int idx = atoi(argv[a]);
        if (idx < 0 || idx >= ntests) continue;
        sh->hot.last = -1; sh->hot.depth = 0;
        sh->assert_where = 0; sh->assert_line = 0; sh->assert_msg[0] = 0;
        sh->nevents = 0; sh->max_events = max_events ? max_events : 1; sh->truncated = 0;
        sh->len = sh->flushed = 0;
        fflush(NULL);
        double t0 = now_s();
        pid_t pid = fork();
        if (pid < 0) {
            char line[128];
            int n = snprintf(line, sizeof line, "#T\t%d\tforkfail\t%d\t-1\t0\t0\t0\t0\t0\tfork failed\n", idx, errno);
            write_all(line, (size_t)n);
            return 4;
        }
        if (pid == 0) {
            setpgid(0, 0);
            sigprocmask(SIG_SETMASK, &old, NULL);
            egca_on = tracing;
            tests[idx]();
            fflush(NULL);
            egca_on = 0;
            flush_buf();
            _exit(0);
        }
        setpgid(pid, pid);
        int status = 0, timed_out = 0;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) break;
            double left = deadline - now_s();
            if (left <= 0) {
                kill(-pid, SIGKILL); kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                timed_out = 1;
                break;
            }
            struct timespec ts = {(time_t)left, (long)((left - (long)left) * 1e9)};
            if (left > 0.05) { ts.tv_sec = 0; ts.tv_nsec = 50000000; }
            sigtimedwait(&chld, NULL, &ts);
        }
        kill(-pid, SIGKILL);   /* whatever the test forked goes with it */
        double wall = now_s() - t0;
        flush_buf();
        char how[16]; int code = 0;
        if (timed_out) { strcpy(how, "timeout"); }
        else if (WIFSIGNALED(status)) { strcpy(how, "signal"); code = WTERMSIG(status); }
        else { strcpy(how, "exit"); code = WEXITSTATUS(status); }
        if (!timed_out && WIFSIGNALED(status) && (code == SIGXCPU || code == SIGKILL)) strcpy(how, "timeout");
        char msg[600];
        snprintf(msg, sizeof msg, "%s", sh->assert_msg);
        clean_msg(msg);
        char line[1024];
        int n = snprintf(line, sizeof line, "#T\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%.6f\t%d\t%s\n", idx, how, code,
                         sh->hot.last, sh->hot.depth, sh->assert_where, sh->assert_line, wall, sh->truncated, msg);
        write_all(line, (size_t)n);
        if (timed_out) return 0;   /* the run's time is spent: later tests are not run */
    }
    return 0;
}
