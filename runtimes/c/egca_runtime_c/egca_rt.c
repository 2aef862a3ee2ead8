/* EGCA C tracer runtime: event encoding (the kit's child protocol, see
 * egca_kit.protocol), safe memory reads, heap bookkeeping, and the Trace runner
 * (one forked child per test, control lines and events on fd 3).
 *
 * Events are written by the test's child into a MAP_SHARED buffer and flushed
 * to fd 3 in chunks; whatever the child had not flushed when it died (signal,
 * timeout kill) is flushed by the parent, so no event is lost on a crash. A
 * chunk is marked flushed before it is written, so a child killed mid-write
 * loses at most that chunk's tail: the parent starts its own lines on a fresh
 * line, and the reader drops the cut one.
 *
 * Linked into the candidate's shared object for Run too (egca_harness.c), where
 * egca_on stays 0 and only the statement position (egca_hot) is kept. */
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
#include "egca_no_processes.h"
#include "egca_wait.h"

#define CHAN 3
#define STR_CAP 1000        /* bytes of a string kept */
#define LIST_CAP 64         /* items of an array kept */
#define BUF_CAP (8u << 20)  /* shared event buffer */
#define FLUSH_AT (64u << 10)
#define MAX_DEPTH_VALUES 4  /* nesting of printed values */

struct shared {
    struct egca_hot hot;
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
static const char *close_ev = "]\n";     /* what ends the event being written */
/* Tables of the traced program (set by the runner): the ranges table the server
 * holds is [statements..., functions..., branch conditions...]. */
static const char *const *fnames;
static const char *const *bkinds;
static int func_base, cond_base;

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
    sh->flushed = len;
    if (len > done) write_all(sh->buf + done, len - done);
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

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++) if ((s[i] & 0xC0) != 0x80) return 0;
    if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;
    if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return k;
}

/* A JSON string (invalid UTF-8 bytes become U+FFFD); a cut one is ["s", prefix, length]. */
static void out_str(const unsigned char *s, size_t n, int truncated, size_t full) {
    char tmp[8];
    if (truncated) out("[\"s\",", 5);
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
    if (truncated) { char t[32]; int m = snprintf(t, sizeof t, ",%zu]", full); out(t, (size_t)m); }
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

/* An event's head: ["K",<range index>,<frame>,<depth>, ... (built right to left);
 * egca_ev_end closes it. S: [bindings]; C: "name", [bindings]; R: value. */
void egca_ev(int kind, int id, unsigned long frame) {
    char tmp[112];
    char *e = tmp + sizeof tmp, *b = e;
    int idx = id;
    const char *name = NULL;
    if (kind == 'S') { *--b = '['; close_ev = "]]\n"; }
    else if (kind == 'C') { close_ev = "]]\n"; idx = func_base + id; name = fnames ? fnames[id] : "?"; }
    else { close_ev = "]\n"; if (kind == 'E') idx = func_base + id; }
    *--b = ',';
    int d = egca_hot->depth;
    b = fmt_ull(b, (unsigned long long)(d < 0 ? -(long long)d : d)); if (d < 0) *--b = '-';
    *--b = ','; b = fmt_ull(b, frame);
    *--b = ','; b = fmt_ull(b, (unsigned long long)(idx < 0 ? -(long long)idx : idx)); if (idx < 0) *--b = '-';
    *--b = ','; *--b = '"'; *--b = (char)(kind == 'E' ? 'R' : kind); *--b = '"'; *--b = '[';
    out(b, (size_t)(e - b));
    if (name) { out("\"", 1); outs(name); out("\",[", 3); }
    first_binding = 1;
    nest = 0;
}

void egca_ev_end(void) {
    outs(close_ev);
    sh->nevents++;
    if (sh->nevents >= sh->max_events) { egca_on = 0; sh->truncated = 1; }
    if (sh->len - sh->flushed >= FLUSH_AT) { flush_buf(); sh->len = sh->flushed = 0; }
}

void egca_branch(int id, unsigned long frame, int taken) {
    if (!egca_on) return;
    egca_ev('B', cond_base + id, frame);
    outs(taken ? "true,\"" : "false,\"");
    outs(bkinds && bkinds[id] ? bkinds[id] : "if");
    outs("\"");
    close_ev = "]\n";
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
    outs("[\"o\",\""); outs(type_name); outs("\",[");
}
void egca_field(int index, const char *name) {
    if (index) out(",", 1);
    out("[\"", 2); outs(name); out("\",", 2);
}
void egca_obj_end(void) { outs("]]"); nest--; }

/* ------------------------------------------------------------- printers */
/* Decimal digits by hand: snprintf per value was a large share of an event's cost. */
static char *fmt_ull(char *end, unsigned long long v) {
    do { *--end = (char)('0' + v % 10); v /= 10; } while (v);
    return end;
}
/* Integers beyond 2**53 are ["i", "digits"] (JSON readers may round them). */
#define BIG (1ull << 53)
static void out_ull(unsigned long long v) {
    char t[32]; char *e = t + sizeof t, *b = e;
    if (v >= BIG) { *--b = ']'; *--b = '"'; }
    b = fmt_ull(b, v);
    if (v >= BIG) { *--b = '"'; *--b = ','; *--b = '"'; *--b = 'i'; *--b = '"'; *--b = '['; }
    out(b, (size_t)(e - b));
}
static void out_ll(long long v) {
    char t[32]; char *e = t + sizeof t, *b = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    if (u >= BIG) { *--b = ']'; *--b = '"'; }
    b = fmt_ull(b, u);
    if (v < 0) *--b = '-';
    if (u >= BIG) { *--b = '"'; *--b = ','; *--b = '"'; *--b = 'i'; *--b = '"'; *--b = '['; }
    out(b, (size_t)(e - b));
}
static void out_d(long double v) {
    char t[48]; int n;
    if (isnan(v)) n = snprintf(t, sizeof t, "[\"f\",\"nan\"]");
    else if (isinf(v)) n = snprintf(t, sizeof t, v > 0 ? "[\"f\",\"inf\"]" : "[\"f\",\"-inf\"]");
    else {
        n = snprintf(t, sizeof t, "%.17g", (double)v);
        if (!strpbrk(t, ".e")) { t[n++] = '.'; t[n++] = '0'; t[n] = 0; }   /* a JSON float, not an int */
    }
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
void egca_p_other(const void *p) { (void)p; outs("[\"x\",\"<value>\"]"); }

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
    if (n < got) { out_str(tmp, n, 0, n); return; }
    if (got == STR_CAP + 1) { out_str(tmp, STR_CAP, 1, STR_CAP + 1); return; }   /* longer than the cap */
    outs("[\"x\",\"<char* unterminated>\"]");
}
void egca_p_str(const void *p) { print_cstr(*(const char *const *)p); }

/* A pointer to a heap block's start shows the block as a list; any other
 * pointer is opaque (no addresses ever leave the process). */
static void print_heap(const void *q, size_t elsz, void (*pr)(const void *), const char *what) {
    if (!q) { outs("null"); return; }
    long block = heap_size(q);
    if (block < 0 || nest >= MAX_DEPTH_VALUES) { outs("[\"x\",\"<"); outs(what); outs(">\"]"); return; }
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
void egca_p_pvoid(const void *p) { outs(*(void *const *)p ? "[\"x\",\"<void*>\"]" : "null"); }

/* An array of known length held in this process's memory (declared T a[N]). */
void egca_arr(const void *base, size_t n, size_t elsz, void (*pr)(const void *), int is_char) {
    if (is_char) {
        const unsigned char *s = base;
        size_t k = 0;
        while (k < n && s[k]) k++;
        if (k < n) { out_str(s, k > STR_CAP ? STR_CAP : k, k > STR_CAP, k); return; }
    }
    nest++;
    char t[48];
    int m = snprintf(t, sizeof t, "[\"l\",\"array\",%zu,[", n);
    out(t, (size_t)m);
    size_t shown = n < LIST_CAP ? n : LIST_CAP;
    for (size_t i = 0; i < shown; i++) {
        if (i) out(",", 1);
        if (nest > MAX_DEPTH_VALUES) outs("[\"x\",\"<...>\"]");
        else pr((const char *)base + i * elsz);
    }
    outs("]]");
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
    char t[48];
    int m = snprintf(t, sizeof t, "[\"l\",\"array\",%ld,[", got < shown ? (long)got : n);
    out(t, (size_t)m);
    for (size_t i = 0; i < got; i++) {
        if (i) out(",", 1);
        if (nest > MAX_DEPTH_VALUES) outs("[\"x\",\"<...>\"]");
        else pr(tmp + i * elsz);
    }
    outs("]]");
    nest--;
}

/* A pointer parameter without a length (an out-parameter such as `int *out_n`): the
 * value it points to; a heap block's start is shown as the block, like any pointer. */
void egca_pderef(const void *p, size_t elsz, void (*pr)(const void *)) {
    if (!p) { outs("null"); return; }
    long block = heap_size(p);
    if (block >= 0) { egca_parr(p, (long)((size_t)block / (elsz ? elsz : 1)), elsz, pr); return; }
    unsigned char tmp[256] __attribute__((aligned(16)));
    if (elsz == 0 || elsz > sizeof tmp || safe_read(tmp, p, elsz) < elsz) { outs("[\"x\",\"<pointer>\"]"); return; }
    pr(tmp);
}

/* ------------------------------------------------------------- asserts */
/* Replaces glibc's: records where the failed assert is (program or test code). Weak: a
 * program that defines its own still links (and loses only the assert's place). */
__attribute__((weak)) void __assert_fail(const char *expr, const char *file, unsigned int line, const char *func) {
    (void)func;
    egca_hot->assert_where = (file && strcmp(file, "<test>") == 0) ? 2 : 1;
    egca_hot->assert_line = (int)line;
    snprintf((char *)egca_hot->assert_msg, sizeof egca_hot->assert_msg, "%s", expr ? expr : "");
    abort();
}

/* Run: the candidate's shared object reports its position into the harness's page. */
void egca_rt_attach(struct egca_hot *hot) { egca_hot = hot; egca_on = 0; }

/* ------------------------------------------------------------- runner */

/* A JSON string literal of s into dst (at most cap bytes, always terminated). */
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

/* Run one test in a forked child with events on: fd 3 gets {"t":"start","i":label}, its
 * events, an "X" event when it failed at a known statement of the program, and
 * {"t":"result"}. Returns 1 when the test ran out of time (the run's time is spent). */
static int run_test(void (*test)(void), int label, double timeout, double deadline,
                    unsigned long long max_events, const sigset_t *old, sigset_t *chld) {
    sh->hot.last = -1; sh->hot.depth = 0;
    sh->hot.assert_where = 0; sh->hot.assert_line = 0; sh->hot.assert_msg[0] = 0;
    sh->nevents = 0; sh->max_events = max_events ? max_events : 1; sh->truncated = 0;
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
        egca_on = 1;
        test();
        fflush(NULL);
        egca_on = 0;
        flush_buf();
        _exit(0);
    }
    setpgid(pid, pid);
    int status = 0;
    int timed_out = egca_wait_child(pid, deadline, chld, &status);
    double wall = egca_now_s() - t0;
    flush_buf();
    write_all("\n", 1);    /* a line the child was cut in is ended (and dropped) here */
    int code = 0, last = sh->hot.last, in_program = sh->hot.depth > 0, where = sh->hot.assert_where;
    int sig = 0;
    if (!timed_out && WIFSIGNALED(status)) {
        sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL) timed_out = 1;
    } else if (!timed_out) code = WEXITSTATUS(status);
    const char *st = "PASS", *kind = "";
    char msg[700] = "", sbuf[32], am[300];
    int located = 0;
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
    if (located && strcmp(st, "ERROR") == 0) {
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
    sh = mmap(NULL, sizeof(struct shared) + BUF_CAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) { fprintf(stderr, "egca: mmap failed\n"); return -1; }
    egca_hot = &sh->hot;
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(chld);
    sigaddset(chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, chld, old);
    return 0;
}

/* argv: trace <deadline_ms> <max_events> <test index>...
 * fd 3: {"t":"ready"}, then per test run_test's lines (i: the index's place in argv);
 * finally {"t":"done"}. */
int egca_main(int argc, char **argv, void (*const *tests)(void), int ntests,
              const char *const *func_names, int nstmts, int nfuncs, const char *const *branch_kinds) {
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

/* Run's trace of its failing test (egca_harness.c, RunRequest.trace_failure), called in a
 * child of the Run harness that loaded the candidate's shared object: the test runs as
 * Trace runs it (its own child, events on, within the time the run has left) and its
 * lines go to fd 3 as test 0's. */
int egca_trace_one(void (*test)(void), double left_s, unsigned long long max_events,
                   const char *const *func_names, int nstmts, int nfuncs, const char *const *branch_kinds) {
    sigset_t chld, old;
    if (setup(func_names, nstmts, nfuncs, branch_kinds, &chld, &old) < 0) return 3;
    return run_test(test, 0, left_s, egca_now_s() + left_s, max_events, &old, &chld) < 0 ? 4 : 0;
}
