//@@ prompt
/* Given a non-empty array of integers lst[0..n-1], return the sum of all of the
   odd elements that are in even positions.
   solutions((int[]){5, 8, 7, 1}, 4) == 12
   solutions((int[]){3, 3, 3, 3, 3}, 5) == 9
   solutions((int[]){30, 13, 24, 321}, 4) == 0 */
int solutions(const int *lst, int n) {
//@@ reference
    int sum = 0;
    for (int i = 0; i < n; i += 2) {
        if (lst[i] % 2 == 1)
            sum += lst[i];
    }
    return sum;
}
//@@ tests
assert(solutions((int[]){5, 8, 7, 1}, 4) == 12);

assert(solutions((int[]){3, 3, 3, 3, 3}, 5) == 9);

assert(solutions((int[]){30, 13, 24, 321}, 4) == 0);

assert(solutions((int[]){5, 9}, 2) == 5);

assert(solutions((int[]){2, 4, 8}, 3) == 0);

assert(solutions((int[]){30, 13, 23, 32}, 4) == 23);

assert(solutions((int[]){3, 13, 2, 9}, 4) == 3);
