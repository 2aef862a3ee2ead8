//@@ prompt
#include <stdlib.h>

/* Return a newly allocated array (the caller frees it) holding the elements of
   l[0..n-1] incremented by 1.
   incr_list((int[]){1, 2, 3}, 3) gives {2, 3, 4}
   incr_list((int[]){5, 3, 5, 2, 3, 3, 9, 0, 123}, 9) gives {6, 4, 6, 3, 4, 4, 10, 1, 124} */
int *incr_list(const int *l, int n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    for (int i = 0; i < n; i++)
        result[i] = l[i] + 1;
    return result;
}
//@@ tests
int *r = incr_list(NULL, 0);
assert(r != NULL);
free(r);

int *r = incr_list((int[]){3, 2, 1}, 3);
assert(egca_int_array_eq(r, 3, (int[]){4, 3, 2}, 3));
free(r);

int *r = incr_list((int[]){5, 2, 5, 2, 3, 3, 9, 0, 123}, 9);
assert(egca_int_array_eq(r, 9, (int[]){6, 3, 6, 3, 4, 4, 10, 1, 124}, 9));
free(r);
