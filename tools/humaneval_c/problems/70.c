//@@ prompt
#include <stdbool.h>
#include <stdlib.h>

/* Given the array lst[0..n-1] of integers, return its elements in strange
   order, as a newly allocated array of n elements (the caller frees it).
   Strange sorting is when you start with the minimum value, then the maximum of
   the remaining integers, then the minimum and so on.
   strange_sort_list((int[]){1, 2, 3, 4}, 4) gives {1, 4, 2, 3}
   strange_sort_list((int[]){5, 5, 5, 5}, 4) gives {5, 5, 5, 5}
   strange_sort_list(NULL, 0) gives an empty array */
int *strange_sort_list(const int *lst, int n) {
//@@ reference
    int *sorted = malloc(sizeof(int) * (n > 0 ? n : 1));
    for (int i = 0; i < n; i++)
        sorted[i] = lst[i];
    for (int i = 1; i < n; i++) {
        int value = sorted[i];
        int j = i - 1;
        while (j >= 0 && sorted[j] > value) {
            sorted[j + 1] = sorted[j];
            j--;
        }
        sorted[j + 1] = value;
    }
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int low = 0;
    int high = n - 1;
    bool take_low = true;
    for (int k = 0; k < n; k++) {
        if (take_low) {
            result[k] = sorted[low];
            low++;
        } else {
            result[k] = sorted[high];
            high--;
        }
        take_low = !take_low;
    }
    free(sorted);
    return result;
}
//@@ tests
int *r = strange_sort_list((int[]){1, 2, 3, 4}, 4);
assert(egca_int_array_eq(r, 4, (int[]){1, 4, 2, 3}, 4));
free(r);

int *r = strange_sort_list((int[]){5, 6, 7, 8, 9}, 5);
assert(egca_int_array_eq(r, 5, (int[]){5, 9, 6, 8, 7}, 5));
free(r);

int *r = strange_sort_list((int[]){1, 2, 3, 4, 5}, 5);
assert(egca_int_array_eq(r, 5, (int[]){1, 5, 2, 4, 3}, 5));
free(r);

int *r = strange_sort_list((int[]){5, 6, 7, 8, 9, 1}, 6);
assert(egca_int_array_eq(r, 6, (int[]){1, 9, 5, 8, 6, 7}, 6));
free(r);

int *r = strange_sort_list((int[]){5, 5, 5, 5}, 4);
assert(egca_int_array_eq(r, 4, (int[]){5, 5, 5, 5}, 4));
free(r);

int *r = strange_sort_list(NULL, 0);
assert(r != NULL);
free(r);

int *r = strange_sort_list((int[]){1, 2, 3, 4, 5, 6, 7, 8}, 8);
assert(egca_int_array_eq(r, 8, (int[]){1, 8, 2, 7, 3, 6, 4, 5}, 8));
free(r);

int *r = strange_sort_list((int[]){0, 2, 2, 2, 5, 5, -5, -5}, 8);
assert(egca_int_array_eq(r, 8, (int[]){-5, 5, -5, 5, 0, 2, 2, 2}, 8));
free(r);

int *r = strange_sort_list((int[]){111111}, 1);
assert(egca_int_array_eq(r, 1, (int[]){111111}, 1));
free(r);
