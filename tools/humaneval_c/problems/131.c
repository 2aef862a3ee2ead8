//@@ prompt
#include <stdbool.h>

/* Given a positive integer n, return the product of the odd digits.
   Return 0 if all digits are even.
   digits(1) == 1
   digits(4) == 0
   digits(235) == 15 */
int digits(int n) {
//@@ reference
    int product = 1;
    bool has_odd = false;
    while (n > 0) {
        int d = n % 10;
        if (d % 2 == 1) {
            product *= d;
            has_odd = true;
        }
        n = n / 10;
    }
    if (!has_odd)
        return 0;
    return product;
}
//@@ tests
assert(digits(5) == 5);

assert(digits(54) == 5);

assert(digits(120) == 1);

assert(digits(5014) == 5);

assert(digits(98765) == 315);

assert(digits(5576543) == 2625);

assert(digits(2468) == 0);
