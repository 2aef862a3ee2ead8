//@@ prompt
#include <stdlib.h>

/* This function takes the array l[0..n-1] and returns an array l' such that l'
   is identical to l at the odd indices, while its values at the even indices
   are equal to the values at the even indices of l, but sorted.
   Return a newly allocated array of n elements (the caller frees it).
   sort_even((int[]){1, 2, 3}, 3) gives {1, 2, 3}
   sort_even((int[]){5, 6, 3, 4}, 4) gives {3, 6, 5, 4} */
int *sort_even(const int *l, int n) {
//@@ reference
    int *result = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++)
        result[i] = l[i];
    for (int i = 0; i < n; i += 2) {
        int min_index = i;
        for (int j = i + 2; j < n; j += 2) {
            if (result[j] < result[min_index])
                min_index = j;
        }
        int tmp = result[i];
        result[i] = result[min_index];
        result[min_index] = tmp;
    }
    return result;
}
//@@ tests
int *r = sort_even((int[]){1, 2, 3}, 3);
assert(egca_int_array_eq(r, 3, (int[]){1, 2, 3}, 3));
free(r);

int *r = sort_even((int[]){5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10}, 11);
assert(egca_int_array_eq(r, 11, (int[]){-10, 3, -5, 2, -3, 3, 5, 0, 9, 1, 123}, 11));
free(r);

int *r = sort_even((int[]){5, 8, -12, 4, 23, 2, 3, 11, 12, -10}, 10);
assert(egca_int_array_eq(r, 10, (int[]){-12, 8, 3, 4, 5, 2, 12, 11, 23, -10}, 10));
free(r);
