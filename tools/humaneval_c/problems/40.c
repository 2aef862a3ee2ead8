//@@ prompt
#include <stdbool.h>

/* triples_sum_to_zero takes the array l[0..n-1] of integers as input. It
   returns true if there are three elements at distinct positions that sum to
   zero, and false otherwise.
   triples_sum_to_zero((int[]){1, 3, 5, 0}, 4) == false
   triples_sum_to_zero((int[]){1, 3, -2, 1}, 4) == true
   triples_sum_to_zero((int[]){1, 2, 3, 7}, 4) == false
   triples_sum_to_zero((int[]){2, 4, -5, 3, 9, 7}, 6) == true
   triples_sum_to_zero((int[]){1}, 1) == false */
bool triples_sum_to_zero(const int *l, int n) {
//@@ reference
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            for (int k = j + 1; k < n; k++) {
                if (l[i] + l[j] + l[k] == 0)
                    return true;
            }
        }
    }
    return false;
}
//@@ tests
assert(triples_sum_to_zero((int[]){1, 3, 5, 0}, 4) == false);

assert(triples_sum_to_zero((int[]){1, 3, 5, -1}, 4) == false);

assert(triples_sum_to_zero((int[]){1, 3, -2, 1}, 4) == true);

assert(triples_sum_to_zero((int[]){1, 2, 3, 7}, 4) == false);

assert(triples_sum_to_zero((int[]){1, 2, 5, 7}, 4) == false);

assert(triples_sum_to_zero((int[]){2, 4, -5, 3, 9, 7}, 6) == true);

assert(triples_sum_to_zero((int[]){1}, 1) == false);

assert(triples_sum_to_zero((int[]){1, 3, 5, -100}, 4) == false);

assert(triples_sum_to_zero((int[]){100, 3, 5, -100}, 4) == false);
