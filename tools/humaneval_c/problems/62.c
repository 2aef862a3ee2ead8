//@@ prompt
#include <stdlib.h>

/* xs[0..n-1] (n >= 1) are the coefficients of a polynomial:
   xs[0] + xs[1] * x + xs[2] * x^2 + ....
   Return the derivative of this polynomial in the same form, as a newly
   allocated array (the caller frees it); store its length (n - 1) in *out_n.
   derivative((int[]){3, 1, 2, 4, 5}, 5, &len) gives {1, 4, 12, 20}
   derivative((int[]){1, 2, 3}, 3, &len) gives {2, 6} */
int *derivative(const int *xs, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * n);
    for (int i = 1; i < n; i++)
        result[i - 1] = i * xs[i];
    *out_n = n - 1;
    return result;
}
//@@ tests
int len = -1;
int *r = derivative((int[]){3, 1, 2, 4, 5}, 5, &len);
assert(egca_int_array_eq(r, len, (int[]){1, 4, 12, 20}, 4));
free(r);

int len = -1;
int *r = derivative((int[]){1, 2, 3}, 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 6}, 2));
free(r);

int len = -1;
int *r = derivative((int[]){3, 2, 1}, 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2}, 2));
free(r);

int len = -1;
int *r = derivative((int[]){3, 2, 1, 0, 4}, 5, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2, 0, 16}, 4));
free(r);

int len = -1;
int *r = derivative((int[]){1}, 1, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);
