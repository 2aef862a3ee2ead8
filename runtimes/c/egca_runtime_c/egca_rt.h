/* EGCA C tracer: declarations the instrumented program sees (no system headers
 * beyond the harness's own, so the program's names stay its own). */
#ifndef EGCA_RT_H
#define EGCA_RT_H
#include <stddef.h>
/* The statement position, in memory the runner (Trace) or harness (Run) can read
 * after the program died; and the last failed assert's place and text. */
struct egca_hot { volatile int last; volatile int depth; volatile int assert_where; volatile int assert_line;
                  volatile char assert_msg[256]; };
extern struct egca_hot *egca_hot;
extern int egca_on;
unsigned long egca_enter(void);
void egca_leave(int saved_last);
void egca_ev(int kind, int id, unsigned long frame);
void egca_ev_end(void);
void egca_bind(const char *name);
void egca_bend(unsigned long long *slot);
void egca_branch(int id, unsigned long frame, int taken);
void egca_raw(const char *s);
void egca_obj_begin(const char *type_name);
void egca_field(int index, const char *name);
void egca_obj_end(void);
void egca_arr(const void *base, size_t n, size_t elsz, void (*pr)(const void *), int is_char);
void egca_parr(const void *base, long n, size_t elsz, void (*pr)(const void *));
void egca_pderef(const void *p, size_t elsz, void (*pr)(const void *));
void *egca_malloc(size_t n);
void *egca_calloc(size_t n, size_t m);
void *egca_realloc(void *p, size_t n);
void egca_free(void *p);
char *egca_strdup(const char *s);
int egca_main(int argc, char **argv, void (*const *tests)(void), int ntests,
              const char *const *func_names, int nstmts, int nfuncs, const char *const *branch_kinds);
void egca_rt_attach(struct egca_hot *hot);
int egca_trace_one(void (*test)(void), double left_s, unsigned long long max_events,
                   const char *const *func_names, int nstmts, int nfuncs, const char *const *branch_kinds);
#define EGCA_P(T) void egca_p_##T(const void *)
EGCA_P(bool); EGCA_P(char); EGCA_P(schar); EGCA_P(uchar); EGCA_P(short); EGCA_P(ushort);
EGCA_P(int); EGCA_P(uint); EGCA_P(long); EGCA_P(ulong); EGCA_P(llong); EGCA_P(ullong);
EGCA_P(float); EGCA_P(double); EGCA_P(ldouble); EGCA_P(str); EGCA_P(other);
EGCA_P(pint); EGCA_P(puint); EGCA_P(plong); EGCA_P(pulong); EGCA_P(pllong); EGCA_P(pullong);
EGCA_P(pshort); EGCA_P(pdouble); EGCA_P(pfloat); EGCA_P(pbool); EGCA_P(pstr); EGCA_P(pvoid);
#undef EGCA_P
/* The printer for a value of x's type: a function taking the value's address. */
#define EGCA_FN(x) _Generic((x), _Bool: egca_p_bool, char: egca_p_char, signed char: egca_p_schar, \
  unsigned char: egca_p_uchar, short: egca_p_short, unsigned short: egca_p_ushort, int: egca_p_int, \
  unsigned int: egca_p_uint, long: egca_p_long, unsigned long: egca_p_ulong, long long: egca_p_llong, \
  unsigned long long: egca_p_ullong, float: egca_p_float, double: egca_p_double, long double: egca_p_ldouble, \
  char *: egca_p_str, const char *: egca_p_str, \
  int *: egca_p_pint, const int *: egca_p_pint, unsigned int *: egca_p_puint, const unsigned int *: egca_p_puint, \
  long *: egca_p_plong, const long *: egca_p_plong, unsigned long *: egca_p_pulong, const unsigned long *: egca_p_pulong, \
  long long *: egca_p_pllong, const long long *: egca_p_pllong, \
  unsigned long long *: egca_p_pullong, const unsigned long long *: egca_p_pullong, \
  short *: egca_p_pshort, const short *: egca_p_pshort, double *: egca_p_pdouble, const double *: egca_p_pdouble, \
  float *: egca_p_pfloat, const float *: egca_p_pfloat, _Bool *: egca_p_pbool, const _Bool *: egca_p_pbool, \
  char **: egca_p_pstr, const char **: egca_p_pstr, char *const *: egca_p_pstr, const char *const *: egca_p_pstr, \
  void *: egca_p_pvoid, const void *: egca_p_pvoid, \
  default: egca_p_other)
#define EGCA_V(x) EGCA_FN(x)((const void *)&(x))
#define EGCA_IS_CHAR(x) _Generic((x), char: 1, signed char: 1, unsigned char: 1, default: 0)
#define EGCA_AT(s) (egca_hot->last = (s))
#endif
