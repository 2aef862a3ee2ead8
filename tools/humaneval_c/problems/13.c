//@@ prompt
/* Return the greatest common divisor of two positive integers a and b.
   greatest_common_divisor(3, 5) == 1
   greatest_common_divisor(25, 15) == 5 */
int greatest_common_divisor(int a, int b) {
//@@ reference
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}
//@@ tests
assert(greatest_common_divisor(3, 7) == 1);

assert(greatest_common_divisor(10, 15) == 5);

assert(greatest_common_divisor(49, 14) == 7);

assert(greatest_common_divisor(144, 60) == 12);
