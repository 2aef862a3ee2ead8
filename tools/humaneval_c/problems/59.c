//@@ prompt
/* Return the largest prime factor of n. Assume n > 1 and n is not a prime.
   largest_prime_factor(13195) == 29
   largest_prime_factor(2048) == 2 */
int largest_prime_factor(int n) {
//@@ reference
    int largest = 1;
    int factor = 2;
    while (n > 1) {
        if (n % factor == 0) {
            largest = factor;
            n = n / factor;
        } else {
            factor++;
        }
    }
    return largest;
}
//@@ tests
assert(largest_prime_factor(15) == 5);

assert(largest_prime_factor(27) == 3);

assert(largest_prime_factor(63) == 7);

assert(largest_prime_factor(330) == 11);

assert(largest_prime_factor(13195) == 29);
