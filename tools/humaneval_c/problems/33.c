//@@ prompt
#include <stdlib.h>

/* This function takes the array l[0..n-1] and returns an array l' such that l'
   is identical to l at the indices that are not divisible by three, while its
   values at the indices that are divisible by three are equal to the values at
   those indices of l, but sorted.
   Return a newly allocated array of n elements (the caller frees it).
   sort_third((int[]){1, 2, 3}, 3) gives {1, 2, 3}
   sort_third((int[]){5, 6, 3, 4, 8, 9, 2}, 7) gives {2, 6, 3, 4, 8, 9, 5} */
int *sort_third(const int *l, int n) {
//@@ reference
    int *result = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++)
        result[i] = l[i];
    for (int i = 0; i < n; i += 3) {
        for (int j = i + 3; j < n; j += 3) {
            if (result[j] < result[i]) {
                int tmp = result[i];
                result[i] = result[j];
                result[j] = tmp;
            }
        }
    }
    return result;
}
//@@ tests
int *r = sort_third((int[]){1, 2, 3}, 3);
assert(egca_int_array_eq(r, 3, (int[]){1, 2, 3}, 3));
free(r);

int *r = sort_third((int[]){5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10}, 11);
assert(egca_int_array_eq(r, 11, (int[]){1, 3, -5, 2, -3, 3, 5, 0, 123, 9, -10}, 11));
free(r);

int *r = sort_third((int[]){5, 8, -12, 4, 23, 2, 3, 11, 12, -10}, 10);
assert(egca_int_array_eq(r, 10, (int[]){-10, 8, -12, 3, 23, 2, 4, 11, 12, 5}, 10));
free(r);

int *r = sort_third((int[]){5, 6, 3, 4, 8, 9, 2}, 7);
assert(egca_int_array_eq(r, 7, (int[]){2, 6, 3, 4, 8, 9, 5}, 7));
free(r);

int *r = sort_third((int[]){5, 8, 3, 4, 6, 9, 2}, 7);
assert(egca_int_array_eq(r, 7, (int[]){2, 8, 3, 4, 6, 9, 5}, 7));
free(r);

int *r = sort_third((int[]){5, 6, 9, 4, 8, 3, 2}, 7);
assert(egca_int_array_eq(r, 7, (int[]){2, 6, 9, 4, 8, 3, 5}, 7));
free(r);

int *r = sort_third((int[]){5, 6, 3, 4, 8, 9, 2, 1}, 8);
assert(egca_int_array_eq(r, 8, (int[]){2, 6, 3, 4, 8, 9, 5, 1}, 8));
free(r);
