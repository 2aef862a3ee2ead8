//@@ prompt
/* The Brazilian factorial is defined as:
   brazilian_factorial(n) = n! * (n-1)! * (n-2)! * ... * 1!
   where n > 0.
   special_factorial(4) == 288
   The function receives an integer as input and should return the special
   factorial of this integer. */
long long special_factorial(int n) {
//@@ reference
    long long factorial = 1;
    long long result = 1;
    for (int i = 1; i <= n; i++) {
        factorial *= i;
        result *= factorial;
    }
    return result;
}
//@@ tests
assert(special_factorial(4) == 288);

assert(special_factorial(5) == 34560);

assert(special_factorial(7) == 125411328000LL);

assert(special_factorial(1) == 1);
