//@@ prompt
#include <stdbool.h>

/* Return true if all numbers in the array l[0..n-1] are below threshold t.
   below_threshold((int[]){1, 2, 4, 10}, 4, 100) == true
   below_threshold((int[]){1, 20, 4, 10}, 4, 5) == false */
bool below_threshold(const int *l, int n, int t) {
//@@ reference
    for (int i = 0; i < n; i++) {
        if (l[i] >= t)
            return false;
    }
    return true;
}
//@@ tests
assert(below_threshold((int[]){1, 2, 4, 10}, 4, 100));

assert(!below_threshold((int[]){1, 20, 4, 10}, 4, 5));

assert(below_threshold((int[]){1, 20, 4, 10}, 4, 21));

assert(below_threshold((int[]){1, 20, 4, 10}, 4, 22));

assert(below_threshold((int[]){1, 8, 4, 10}, 4, 11));

assert(!below_threshold((int[]){1, 8, 4, 10}, 4, 10));
