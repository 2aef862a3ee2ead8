//@@ prompt
#include <stdlib.h>

/* Return only the positive numbers of the array l[0..n-1], in their order, as a
   newly allocated array (the caller frees it); store its length in *out_n.
   get_positive((int[]){-1, 2, -4, 5, 6}, 5, &len) gives {2, 5, 6}
   get_positive((int[]){5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10}, 11, &len) gives {5, 3, 2, 3, 9, 123, 1} */
int *get_positive(const int *l, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (l[i] > 0) {
            result[count] = l[i];
            count++;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = get_positive((int[]){-1, -2, 4, 5, 6}, 5, &len);
assert(egca_int_array_eq(r, len, (int[]){4, 5, 6}, 3));
free(r);

int len = -1;
int *r = get_positive((int[]){5, 3, -5, 2, 3, 3, 9, 0, 123, 1, -10}, 11, &len);
assert(egca_int_array_eq(r, len, (int[]){5, 3, 2, 3, 3, 9, 123, 1}, 8));
free(r);

int len = -1;
int *r = get_positive((int[]){-1, -2}, 2, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = get_positive(NULL, 0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);
