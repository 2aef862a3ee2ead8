//@@ prompt
#include <stdlib.h>

/* Return the prime factors of the given integer n (n >= 2) in order from
   smallest to largest. Each factor is listed as many times as it appears in the
   factorization; the product of all factors equals n.
   Return a newly allocated array (the caller frees it) and store its length in
   *out_n.
   factorize(8, &len) gives {2, 2, 2}
   factorize(25, &len) gives {5, 5}
   factorize(70, &len) gives {2, 5, 7} */
int *factorize(int n, int *out_n) {
//@@ reference
    int *factors = malloc(sizeof(int) * 32);
    int count = 0;
    int i = 2;
    while (i * i <= n) {
        if (n % i == 0) {
            factors[count] = i;
            count++;
            n = n / i;
        } else {
            i++;
        }
    }
    if (n > 1) {
        factors[count] = n;
        count++;
    }
    *out_n = count;
    return factors;
}
//@@ tests
int len = -1;
int *r = factorize(2, &len);
assert(egca_int_array_eq(r, len, (int[]){2}, 1));
free(r);

int len = -1;
int *r = factorize(4, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2}, 2));
free(r);

int len = -1;
int *r = factorize(8, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2, 2}, 3));
free(r);

int len = -1;
int *r = factorize(3 * 19, &len);
assert(egca_int_array_eq(r, len, (int[]){3, 19}, 2));
free(r);

int len = -1;
int *r = factorize(3 * 19 * 3 * 19, &len);
assert(egca_int_array_eq(r, len, (int[]){3, 3, 19, 19}, 4));
free(r);

int len = -1;
int *r = factorize(3 * 19 * 3 * 19 * 3 * 19, &len);
assert(egca_int_array_eq(r, len, (int[]){3, 3, 3, 19, 19, 19}, 6));
free(r);

int len = -1;
int *r = factorize(3 * 19 * 19 * 19, &len);
assert(egca_int_array_eq(r, len, (int[]){3, 19, 19, 19}, 4));
free(r);

int len = -1;
int *r = factorize(3 * 2 * 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 3}, 3));
free(r);
