//@@ prompt
#include <stdlib.h>

/* From the array numbers[0..n-1], generate the array of the rolling maximum
   element found until each moment in the sequence. Return a newly allocated
   array of n elements (the caller frees it) and store n in *out_n.
   rolling_max((int[]){1, 2, 3, 2, 3, 4, 2}, 7, &len) gives {1, 2, 3, 3, 3, 4, 4} */
int *rolling_max(const int *numbers, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int running_max = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || numbers[i] > running_max)
            running_max = numbers[i];
        result[i] = running_max;
    }
    *out_n = n;
    return result;
}
//@@ tests
int len = -1;
int *r = rolling_max(NULL, 0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = rolling_max((int[]){1, 2, 3, 4}, 4, &len);
assert(egca_int_array_eq(r, len, (int[]){1, 2, 3, 4}, 4));
free(r);

int len = -1;
int *r = rolling_max((int[]){4, 3, 2, 1}, 4, &len);
assert(egca_int_array_eq(r, len, (int[]){4, 4, 4, 4}, 4));
free(r);

int len = -1;
int *r = rolling_max((int[]){3, 2, 3, 100, 3}, 5, &len);
assert(egca_int_array_eq(r, len, (int[]){3, 3, 3, 100, 100}, 5));
free(r);
