//@@ prompt
#include <stdlib.h>

/* From the array numbers[0..n-1], remove all elements that occur more than
   once. Keep the order of the remaining elements the same as in the input.
   Return a newly allocated array (the caller frees it) and store its length in
   *out_n.
   remove_duplicates((int[]){1, 2, 3, 2, 4}, 5, &len) gives {1, 3, 4} */
int *remove_duplicates(const int *numbers, int n, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        int occurrences = 0;
        for (int j = 0; j < n; j++) {
            if (numbers[j] == numbers[i])
                occurrences++;
        }
        if (occurrences == 1) {
            result[count] = numbers[i];
            count++;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = remove_duplicates(NULL, 0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = remove_duplicates((int[]){1, 2, 3, 4}, 4, &len);
assert(egca_int_array_eq(r, len, (int[]){1, 2, 3, 4}, 4));
free(r);

int len = -1;
int *r = remove_duplicates((int[]){1, 2, 3, 2, 4, 3, 5}, 7, &len);
assert(egca_int_array_eq(r, len, (int[]){1, 4, 5}, 3));
free(r);
