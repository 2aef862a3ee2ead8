//@@ prompt
#include <stdbool.h>
#include <stdlib.h>

/* Return the sorted unique elements of the array l[0..n-1] as a newly allocated
   array (the caller frees it); store its length in *out_n.
   unique((int[]){5, 3, 5, 2, 3, 3, 9, 0, 123}, 9, &len) gives {0, 2, 3, 5, 9, 123} */
int *unique(const int *l, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < count; j++) {
            if (result[j] == l[i])
                found = true;
        }
        if (!found) {
            result[count] = l[i];
            count++;
        }
    }
    for (int i = 1; i < count; i++) {
        int value = result[i];
        int j = i - 1;
        while (j >= 0 && result[j] > value) {
            result[j + 1] = result[j];
            j--;
        }
        result[j + 1] = value;
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = unique((int[]){5, 3, 5, 2, 3, 3, 9, 0, 123}, 9, &len);
assert(egca_int_array_eq(r, len, (int[]){0, 2, 3, 5, 9, 123}, 6));
free(r);
