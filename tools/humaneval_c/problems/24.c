//@@ prompt
/* For a given number n (n >= 2), find the largest number that divides n evenly,
   smaller than n.
   largest_divisor(15) == 5 */
int largest_divisor(int n) {
//@@ reference
    for (int i = n - 1; i > 0; i--) {
        if (n % i == 0)
            return i;
    }
    return 1;
}
//@@ tests
assert(largest_divisor(3) == 1);

assert(largest_divisor(7) == 1);

assert(largest_divisor(10) == 5);

assert(largest_divisor(100) == 50);

assert(largest_divisor(49) == 7);
