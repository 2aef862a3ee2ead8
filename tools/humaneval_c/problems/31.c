//@@ prompt
#include <stdbool.h>

/* Return true if the given number is prime, and false otherwise.
   is_prime(6) == false
   is_prime(101) == true
   is_prime(11) == true
   is_prime(13441) == true
   is_prime(61) == true
   is_prime(4) == false
   is_prime(1) == false */
bool is_prime(long long n) {
//@@ reference
    if (n < 2)
        return false;
    for (long long k = 2; k * k <= n; k++) {
        if (n % k == 0)
            return false;
    }
    return true;
}
//@@ tests
assert(is_prime(6) == false);

assert(is_prime(101) == true);

assert(is_prime(11) == true);

assert(is_prime(13441) == true);

assert(is_prime(61) == true);

assert(is_prime(4) == false);

assert(is_prime(1) == false);

assert(is_prime(5) == true);

assert(is_prime(17) == true);

assert(is_prime(5 * 17) == false);

assert(is_prime(11 * 7) == false);

assert(is_prime(13441LL * 19) == false);
