/* Helpers for C test cases (see runtimes/c/README.md). All NULL-safe. */
#ifndef EGCA_TEST_H
#define EGCA_TEST_H
static inline __attribute__((unused)) bool egca_int_array_eq(const int *a, int na, const int *b, int nb) {
    if (na != nb) return false;
    if (na == 0) return true;
    if (!a || !b) return a == b;
    for (int i = 0; i < na; i++) if (a[i] != b[i]) return false;
    return true;
}
static inline __attribute__((unused)) bool egca_long_array_eq(const long long *a, int na, const long long *b, int nb) {
    if (na != nb) return false;
    if (na == 0) return true;
    if (!a || !b) return a == b;
    for (int i = 0; i < na; i++) if (a[i] != b[i]) return false;
    return true;
}
static inline __attribute__((unused)) bool egca_double_close(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= 1e-6 * (scale > 1.0 ? scale : 1.0);
}
static inline __attribute__((unused)) bool egca_double_array_close(const double *a, int na, const double *b, int nb) {
    if (na != nb) return false;
    if (na == 0) return true;
    if (!a || !b) return a == b;
    for (int i = 0; i < na; i++) if (!egca_double_close(a[i], b[i])) return false;
    return true;
}
static inline __attribute__((unused)) bool egca_str_eq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}
static inline __attribute__((unused)) bool egca_str_array_eq(char *const *a, int na, const char *const *b, int nb) {
    if (na != nb) return false;
    if (na == 0) return true;
    if (!a || !b) return (const void *)a == (const void *)b;
    for (int i = 0; i < na; i++) if (!egca_str_eq(a[i], b[i])) return false;
    return true;
}
/* Frees an array of n strings and the array itself (NULL-safe). */
static inline __attribute__((unused)) void egca_free_str_array(char **a, int n) {
    if (!a) return;
    for (int i = 0; i < n; i++) free(a[i]);
    free(a);
}
#endif
