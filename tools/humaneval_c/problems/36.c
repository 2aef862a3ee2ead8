//@@ prompt
/* Return the number of times the digit 7 appears in integers less than n which
   are divisible by 11 or 13.
   fizz_buzz(50) == 0
   fizz_buzz(78) == 2
   fizz_buzz(79) == 3 */
int fizz_buzz(int n) {
//@@ reference
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (i % 11 == 0 || i % 13 == 0) {
            int q = i;
            while (q > 0) {
                if (q % 10 == 7)
                    count++;
                q = q / 10;
            }
        }
    }
    return count;
}
//@@ tests
assert(fizz_buzz(50) == 0);

assert(fizz_buzz(78) == 2);

assert(fizz_buzz(79) == 3);

assert(fizz_buzz(100) == 3);

assert(fizz_buzz(200) == 6);

assert(fizz_buzz(4000) == 192);

assert(fizz_buzz(10000) == 639);

assert(fizz_buzz(100000) == 8026);
