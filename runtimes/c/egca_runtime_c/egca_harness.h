/* EGCA C Run harness: what the generated stubs and the test code see. */
#ifndef EGCA_HARNESS_H
#define EGCA_HARNESS_H
#include <stddef.h>
#include <sys/types.h>
#include "egca_rt.h"
#define EGCA_MAX_ARGS 32
#define EGCA_MAX_EXTRA 256
enum { EGCA_PTR, EGCA_STR, EGCA_STRV };
struct egca_region { const void *p; size_t n; };
struct egca_call {
    char name[128];
    int fd;
    pid_t pid;
    void *so;
    char *buf;
    size_t len, cap, pos;
    struct egca_region reg[EGCA_MAX_ARGS];      /* each argument's memory */
    struct egca_region extra[EGCA_MAX_EXTRA];   /* the strings of string-array arguments */
    int nextra;
    struct { void *copy; const void *orig; size_t n; } moved[EGCA_MAX_EXTRA];
    int nmoved;
};
void egca_test_fail(const char *expr, int line);
/* Tracing the failing test (after every verdict): stubs call the program directly. */
extern int egca_tracing;
void *egca_direct(const char *name);
void *egca_t_malloc(size_t n);
void *egca_t_calloc(size_t n, size_t m);
void *egca_t_realloc(void *p, size_t n);
void egca_t_free(void *p);
char *egca_t_strdup(const char *s);
void egca_call_start(struct egca_call *c, const char *name);
void egca_reg_str(struct egca_call *c, int i, const char *s);
void egca_reg_ptr(struct egca_call *c, int i, const void *p, size_t elsz, long count);
void egca_reg_strv(struct egca_call *c, int i, const char *const *v, long count);
int egca_fork(struct egca_call *c);
void egca_move_str(struct egca_call *c, char **s);
void egca_move_strv(struct egca_call *c, char ***v, long count);
void egca_seal(struct egca_call *c);
void *egca_load(struct egca_call *c);
void egca_put(struct egca_call *c, const void *p, size_t n);
void egca_put_ptr(struct egca_call *c, const void *r, size_t elsz, int kind);
void egca_put_out(struct egca_call *c, int i, const void *p);
void egca_end(struct egca_call *c) __attribute__((noreturn));
void egca_wait(struct egca_call *c);
void egca_get(struct egca_call *c, void *p, size_t n);
void egca_get_bool(struct egca_call *c, void *p);
void *egca_get_ptr(struct egca_call *c, int kind);
void egca_get_out(struct egca_call *c, int i, void *p);
void egca_done(struct egca_call *c);
int egca_harness_main(int argc, char **argv, void (*const *tests)(void), int ntests,
                      const void *code_start, const void *code_end);
#endif
