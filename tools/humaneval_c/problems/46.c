//@@ prompt
/* The Fib4 number sequence is a sequence similar to the Fibonacci sequence
   that's defined as follows:
   fib4(0) -> 0
   fib4(1) -> 0
   fib4(2) -> 2
   fib4(3) -> 0
   fib4(n) -> fib4(n-1) + fib4(n-2) + fib4(n-3) + fib4(n-4).
   Write a function to efficiently compute the n-th element of the fib4 number
   sequence. Do not use recursion.
   fib4(5) == 4
   fib4(6) == 8
   fib4(7) == 14 */
int fib4(int n) {
//@@ reference
    int results[4] = {0, 0, 2, 0};
    if (n < 4)
        return results[n];
    for (int i = 4; i <= n; i++) {
        int next = results[0] + results[1] + results[2] + results[3];
        results[0] = results[1];
        results[1] = results[2];
        results[2] = results[3];
        results[3] = next;
    }
    return results[3];
}
//@@ tests
assert(fib4(5) == 4);

assert(fib4(8) == 28);

assert(fib4(10) == 104);

assert(fib4(12) == 386);
