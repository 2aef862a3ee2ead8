//@@ prompt
#include <stdlib.h>

/* Given an array arr[0..n-1] representing a branch of a tree that has
   non-negative integer nodes, your task is to pluck one of the nodes and return
   it. The plucked node should be the node with the smallest even value. If
   multiple nodes with the same smallest even value are found, return the node
   that has the smallest index.
   Return the plucked node as a newly allocated array {smallest_value, its_index}
   (the caller frees it) and store 2 in *out_n. If there are no even values or
   the array is empty, return an empty array (*out_n == 0).
   pluck((int[]){4, 2, 3}, 3, &len) gives {2, 1}
   pluck((int[]){1, 2, 3}, 3, &len) gives {2, 1}
   pluck(NULL, 0, &len) gives {}
   pluck((int[]){5, 0, 3, 0, 4, 2}, 6, &len) gives {0, 1} */
int *pluck(const int *arr, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * 2);
    int best_index = -1;
    for (int i = 0; i < n; i++) {
        if (arr[i] % 2 == 0) {
            if (best_index == -1 || arr[i] < arr[best_index])
                best_index = i;
        }
    }
    if (best_index == -1) {
        *out_n = 0;
        return result;
    }
    result[0] = arr[best_index];
    result[1] = best_index;
    *out_n = 2;
    return result;
}
//@@ tests
int len = -1;
int *r = pluck((int[]){4, 2, 3}, 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 1}, 2));
free(r);

int len = -1;
int *r = pluck((int[]){1, 2, 3}, 3, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 1}, 2));
free(r);

int len = -1;
int *r = pluck(NULL, 0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = pluck((int[]){5, 0, 3, 0, 4, 2}, 6, &len);
assert(egca_int_array_eq(r, len, (int[]){0, 1}, 2));
free(r);

int len = -1;
int *r = pluck((int[]){1, 2, 3, 0, 5, 3}, 6, &len);
assert(egca_int_array_eq(r, len, (int[]){0, 3}, 2));
free(r);

int len = -1;
int *r = pluck((int[]){5, 4, 8, 4, 8}, 5, &len);
assert(egca_int_array_eq(r, len, (int[]){4, 1}, 2));
free(r);

int len = -1;
int *r = pluck((int[]){7, 6, 7, 1}, 4, &len);
assert(egca_int_array_eq(r, len, (int[]){6, 1}, 2));
free(r);

int len = -1;
int *r = pluck((int[]){7, 9, 7, 1}, 4, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);
