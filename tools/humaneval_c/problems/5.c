//@@ prompt
#include <stdlib.h>

/* Insert the number 'delimeter' between every two consecutive elements of the
   array numbers[0..n-1]. Return a newly allocated array (the caller frees it)
   and store its length in *out_n.
   intersperse(NULL, 0, 4, &len) gives {} (len == 0)
   intersperse((int[]){1, 2, 3}, 3, 4, &len) gives {1, 4, 2, 4, 3} */
int *intersperse(const int *numbers, int n, int delimeter, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? 2 * n - 1 : 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            result[k] = delimeter;
            k++;
        }
        result[k] = numbers[i];
        k++;
    }
    *out_n = k;
    return result;
}
//@@ tests
int len = -1;
int *r = intersperse(NULL, 0, 7, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = intersperse((int[]){5, 6, 3, 2}, 4, 8, &len);
assert(egca_int_array_eq(r, len, (int[]){5, 8, 6, 8, 3, 8, 2}, 7));
free(r);

int len = -1;
int *r = intersperse((int[]){2, 2, 2}, 3, 2, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2, 2, 2, 2}, 5));
free(r);
