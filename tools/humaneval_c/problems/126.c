//@@ prompt
#include <stdbool.h>

/* Given the array lst[0..n-1] of non-negative integers, return whether or not
   it is sorted in ascending order. If the array has more than 1 duplicate of
   the same number (3 or more occurrences), return false.
   is_sorted((int[]){5}, 1) == true
   is_sorted((int[]){1, 2, 3, 4, 5}, 5) == true
   is_sorted((int[]){1, 3, 2, 4, 5}, 5) == false
   is_sorted((int[]){1, 2, 2, 3, 3, 4}, 6) == true
   is_sorted((int[]){1, 2, 2, 2, 3, 4}, 6) == false */
bool is_sorted(const int *lst, int n) {
//@@ reference
    for (int i = 1; i < n; i++) {
        if (lst[i] < lst[i - 1])
            return false;
    }
    for (int i = 2; i < n; i++) {
        if (lst[i] == lst[i - 1] && lst[i] == lst[i - 2])
            return false;
    }
    return true;
}
//@@ tests
assert(is_sorted((int[]){5}, 1) == true);

assert(is_sorted((int[]){1, 2, 3, 4, 5}, 5) == true);

assert(is_sorted((int[]){1, 3, 2, 4, 5}, 5) == false);

assert(is_sorted((int[]){1, 2, 3, 4, 5, 6}, 6) == true);

assert(is_sorted((int[]){1, 2, 3, 4, 5, 6, 7}, 7) == true);

assert(is_sorted((int[]){1, 3, 2, 4, 5, 6, 7}, 7) == false);

assert(is_sorted(NULL, 0) == true);

assert(is_sorted((int[]){1}, 1) == true);

assert(is_sorted((int[]){3, 2, 1}, 3) == false);

assert(is_sorted((int[]){1, 2, 2, 2, 3, 4}, 6) == false);

assert(is_sorted((int[]){1, 2, 3, 3, 3, 4}, 6) == false);

assert(is_sorted((int[]){1, 2, 2, 3, 3, 4}, 6) == true);

assert(is_sorted((int[]){1, 2, 3, 4}, 4) == true);
