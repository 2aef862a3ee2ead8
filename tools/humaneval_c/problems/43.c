//@@ prompt
#include <stdbool.h>

/* pairs_sum_to_zero takes the array l[0..n-1] of integers as input. It returns
   true if there are two elements at distinct positions that sum to zero, and
   false otherwise.
   pairs_sum_to_zero((int[]){1, 3, 5, 0}, 4) == false
   pairs_sum_to_zero((int[]){1, 3, -2, 1}, 4) == false
   pairs_sum_to_zero((int[]){1, 2, 3, 7}, 4) == false
   pairs_sum_to_zero((int[]){2, 4, -5, 3, 5, 7}, 6) == true
   pairs_sum_to_zero((int[]){1}, 1) == false */
bool pairs_sum_to_zero(const int *l, int n) {
//@@ reference
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (l[i] + l[j] == 0)
                return true;
        }
    }
    return false;
}
//@@ tests
assert(pairs_sum_to_zero((int[]){1, 3, 5, 0}, 4) == false);

assert(pairs_sum_to_zero((int[]){1, 3, -2, 1}, 4) == false);

assert(pairs_sum_to_zero((int[]){1, 2, 3, 7}, 4) == false);

assert(pairs_sum_to_zero((int[]){2, 4, -5, 3, 5, 7}, 6) == true);

assert(pairs_sum_to_zero((int[]){1}, 1) == false);

assert(pairs_sum_to_zero((int[]){-3, 9, -1, 3, 2, 30}, 6) == true);

assert(pairs_sum_to_zero((int[]){-3, 9, -1, 3, 2, 31}, 6) == true);

assert(pairs_sum_to_zero((int[]){-3, 9, -1, 4, 2, 30}, 6) == false);

assert(pairs_sum_to_zero((int[]){-3, 9, -1, 4, 2, 31}, 6) == false);
