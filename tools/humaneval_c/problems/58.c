//@@ prompt
#include <stdbool.h>
#include <stdlib.h>

/* Return the sorted unique elements common to the arrays l1[0..n1-1] and
   l2[0..n2-1], as a newly allocated array (the caller frees it); store its
   length in *out_n.
   common((int[]){1, 4, 3, 34, 653, 2, 5}, 7, (int[]){5, 7, 1, 5, 9, 653, 121}, 7, &len) gives {1, 5, 653}
   common((int[]){5, 3, 2, 8}, 4, (int[]){3, 2}, 2, &len) gives {2, 3} */
int *common(const int *l1, int n1, const int *l2, int n2, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n1 > 0 ? n1 : 1));
    int count = 0;
    for (int i = 0; i < n1; i++) {
        bool in_l2 = false;
        for (int j = 0; j < n2; j++) {
            if (l2[j] == l1[i])
                in_l2 = true;
        }
        bool already = false;
        for (int k = 0; k < count; k++) {
            if (result[k] == l1[i])
                already = true;
        }
        if (in_l2 && !already) {
            result[count] = l1[i];
            count++;
        }
    }
    for (int i = 0; i < count; i++) {
        for (int j = i + 1; j < count; j++) {
            if (result[j] < result[i]) {
                int tmp = result[i];
                result[i] = result[j];
                result[j] = tmp;
            }
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = common((int[]){1, 4, 3, 34, 653, 2, 5}, 7, (int[]){5, 7, 1, 5, 9, 653, 121}, 7, &len);
assert(egca_int_array_eq(r, len, (int[]){1, 5, 653}, 3));
free(r);

int len = -1;
int *r = common((int[]){5, 3, 2, 8}, 4, (int[]){3, 2}, 2, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3}, 2));
free(r);

int len = -1;
int *r = common((int[]){4, 3, 2, 8}, 4, (int[]){3, 2, 4}, 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 4}, 3));
free(r);

int len = -1;
int *r = common((int[]){4, 3, 2, 8}, 4, NULL, 0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);
