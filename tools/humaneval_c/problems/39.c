//@@ prompt
#include <stdbool.h>

/* prime_fib returns the n-th number that is a Fibonacci number and is also
   prime.
   prime_fib(1) == 2
   prime_fib(2) == 3
   prime_fib(3) == 5
   prime_fib(4) == 13
   prime_fib(5) == 89 */
long long prime_fib(int n) {
//@@ reference
    long long a = 0;
    long long b = 1;
    while (true) {
        long long next = a + b;
        a = b;
        b = next;
        bool prime = b >= 2;
        for (long long k = 2; k * k <= b; k++) {
            if (b % k == 0) {
                prime = false;
                break;
            }
        }
        if (prime) {
            n--;
            if (n == 0)
                return b;
        }
    }
}
//@@ tests
assert(prime_fib(1) == 2);

assert(prime_fib(2) == 3);

assert(prime_fib(3) == 5);

assert(prime_fib(4) == 13);

assert(prime_fib(5) == 89);

assert(prime_fib(6) == 233);

assert(prime_fib(7) == 1597);

assert(prime_fib(8) == 28657);

assert(prime_fib(9) == 514229);

assert(prime_fib(10) == 433494437);
