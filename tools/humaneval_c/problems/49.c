//@@ prompt
/* Return 2^n modulo p (n >= 0, p > 0; be aware of numerics).
   modp(3, 5) == 3
   modp(1101, 101) == 2
   modp(0, 101) == 1
   modp(3, 11) == 8
   modp(100, 101) == 1 */
int modp(int n, int p) {
//@@ reference
    int result = 1;
    for (int i = 0; i < n; i++)
        result = (2 * result) % p;
    return result;
}
//@@ tests
assert(modp(3, 5) == 3);

assert(modp(1101, 101) == 2);

assert(modp(0, 101) == 1);

assert(modp(3, 11) == 8);

assert(modp(100, 101) == 1);

assert(modp(30, 5) == 4);

assert(modp(31, 5) == 3);
