//@@ prompt
#include <stdbool.h>

/* Your task is to write a function that returns true if a number x is a simple
   power of n and false in other cases.
   x is a simple power of n if n^k == x for some integer k >= 0.
   is_simple_power(1, 4) == true
   is_simple_power(2, 2) == true
   is_simple_power(8, 2) == true
   is_simple_power(3, 2) == false
   is_simple_power(3, 1) == false
   is_simple_power(5, 3) == false */
bool is_simple_power(int x, int n) {
//@@ reference
    if (n == 1)
        return x == 1;
    long long power = 1;
    while (power < x)
        power = power * n;
    return power == x;
}
//@@ tests
assert(is_simple_power(16, 2) == true);

assert(is_simple_power(143214, 16) == false);

assert(is_simple_power(4, 2) == true);

assert(is_simple_power(9, 3) == true);

assert(is_simple_power(16, 4) == true);

assert(is_simple_power(24, 2) == false);

assert(is_simple_power(128, 4) == false);

assert(is_simple_power(12, 6) == false);

assert(is_simple_power(1, 1) == true);

assert(is_simple_power(1, 12) == true);
