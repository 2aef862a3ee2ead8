//@@ prompt
#include <stdlib.h>

/* Implement the function f that takes n as a parameter and returns a newly
   allocated array of size n (the caller frees it), such that the value of the
   element at index i is the factorial of i if i is even, or the sum of the
   numbers from 1 to i otherwise, where i starts from 1 (the factorial of i is
   the product of the numbers from 1 to i: 1 * 2 * ... * i).
   f(5) gives {1, 2, 6, 24, 15} */
int *f(int n) {
//@@ reference
    int *result = malloc(sizeof(int) * n);
    for (int i = 1; i <= n; i++) {
        if (i % 2 == 0) {
            int factorial = 1;
            for (int j = 1; j <= i; j++)
                factorial *= j;
            result[i - 1] = factorial;
        } else {
            int sum = 0;
            for (int j = 1; j <= i; j++)
                sum += j;
            result[i - 1] = sum;
        }
    }
    return result;
}
//@@ tests
int *r = f(5);
assert(egca_int_array_eq(r, 5, (int[]){1, 2, 6, 24, 15}, 5));
free(r);

int *r = f(7);
assert(egca_int_array_eq(r, 7, (int[]){1, 2, 6, 24, 15, 720, 28}, 7));
free(r);

int *r = f(1);
assert(egca_int_array_eq(r, 1, (int[]){1}, 1));
free(r);

int *r = f(3);
assert(egca_int_array_eq(r, 3, (int[]){1, 2, 6}, 3));
free(r);
