//@@ prompt
#include <stdbool.h>

/* Write a function that returns true if the object q[0..n-1] will fly, and
   false otherwise. The object q will fly if it's balanced (it is a palindromic
   array) and the sum of its elements is less than or equal to the maximum
   possible weight w.
   will_it_fly((int[]){1, 2}, 2, 5) == false   (unbalanced)
   will_it_fly((int[]){3, 2, 3}, 3, 1) == false   (3+2+3 is more than 1)
   will_it_fly((int[]){3, 2, 3}, 3, 9) == true
   will_it_fly((int[]){3}, 1, 5) == true */
bool will_it_fly(const int *q, int n, int w) {
//@@ reference
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += q[i];
    if (sum > w)
        return false;
    for (int i = 0; i < n / 2; i++) {
        if (q[i] != q[n - 1 - i])
            return false;
    }
    return true;
}
//@@ tests
assert(will_it_fly((int[]){3, 2, 3}, 3, 9) == true);

assert(will_it_fly((int[]){1, 2}, 2, 5) == false);

assert(will_it_fly((int[]){3}, 1, 5) == true);

assert(will_it_fly((int[]){3, 2, 3}, 3, 1) == false);

assert(will_it_fly((int[]){1, 2, 3}, 3, 6) == false);

assert(will_it_fly((int[]){5}, 1, 5) == true);
