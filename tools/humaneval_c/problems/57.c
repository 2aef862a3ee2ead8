//@@ prompt
#include <stdbool.h>

/* Return true if the elements of the array l[0..n-1] are monotonically
   increasing or decreasing (not necessarily strictly).
   monotonic((int[]){1, 2, 4, 20}, 4) == true
   monotonic((int[]){1, 20, 4, 10}, 4) == false
   monotonic((int[]){4, 1, 0, -10}, 4) == true */
bool monotonic(const int *l, int n) {
//@@ reference
    bool increasing = true;
    bool decreasing = true;
    for (int i = 1; i < n; i++) {
        if (l[i] < l[i - 1])
            increasing = false;
        if (l[i] > l[i - 1])
            decreasing = false;
    }
    return increasing || decreasing;
}
//@@ tests
assert(monotonic((int[]){1, 2, 4, 10}, 4) == true);

assert(monotonic((int[]){1, 2, 4, 20}, 4) == true);

assert(monotonic((int[]){1, 20, 4, 10}, 4) == false);

assert(monotonic((int[]){4, 1, 0, -10}, 4) == true);

assert(monotonic((int[]){4, 1, 1, 0}, 4) == true);

assert(monotonic((int[]){1, 2, 3, 2, 5, 60}, 6) == false);

assert(monotonic((int[]){1, 2, 3, 4, 5, 60}, 6) == true);

assert(monotonic((int[]){9, 9, 9, 9}, 4) == true);
