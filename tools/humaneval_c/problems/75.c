//@@ prompt
#include <stdbool.h>

/* Write a function that returns true if the given number is the product of 3
   prime numbers (not necessarily distinct) and false otherwise.
   a is positive.
   is_multiply_prime(30) == true   (30 = 2 * 3 * 5) */
bool is_multiply_prime(int a) {
//@@ reference
    int factors = 0;
    int d = 2;
    while (a > 1) {
        if (a % d == 0) {
            factors++;
            a = a / d;
        } else {
            d++;
        }
    }
    return factors == 3;
}
//@@ tests
assert(is_multiply_prime(5) == false);

assert(is_multiply_prime(30) == true);

assert(is_multiply_prime(8) == true);

assert(is_multiply_prime(10) == false);

assert(is_multiply_prime(125) == true);

assert(is_multiply_prime(3 * 5 * 7) == true);

assert(is_multiply_prime(3 * 6 * 7) == false);

assert(is_multiply_prime(9 * 9 * 9) == false);

assert(is_multiply_prime(11 * 9 * 9) == false);

assert(is_multiply_prime(11 * 13 * 7) == true);
