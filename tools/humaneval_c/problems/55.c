//@@ prompt
/* Return the n-th Fibonacci number (fib(1) == 1, fib(2) == 1).
   fib(10) == 55
   fib(1) == 1
   fib(8) == 21 */
int fib(int n) {
//@@ reference
    if (n == 0)
        return 0;
    if (n == 1)
        return 1;
    return fib(n - 1) + fib(n - 2);
}
//@@ tests
assert(fib(10) == 55);

assert(fib(1) == 1);

assert(fib(8) == 21);

assert(fib(11) == 89);

assert(fib(12) == 144);
