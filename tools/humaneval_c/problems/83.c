//@@ prompt
/* Given a positive integer n, return the count of the numbers of n-digit
   positive integers that start or end with 1.
   starts_one_ends(1) == 1
   starts_one_ends(2) == 18 */
int starts_one_ends(int n) {
//@@ reference
    if (n == 1)
        return 1;
    int count = 18;
    for (int i = 2; i < n; i++)
        count = count * 10;
    return count;
}
//@@ tests
assert(starts_one_ends(1) == 1);

assert(starts_one_ends(2) == 18);

assert(starts_one_ends(3) == 180);

assert(starts_one_ends(4) == 1800);

assert(starts_one_ends(5) == 18000);
