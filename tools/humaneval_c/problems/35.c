//@@ prompt
/* Return the maximum element of the array l[0..n-1] (n > 0).
   max_element((int[]){1, 2, 3}, 3) == 3
   max_element((int[]){5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10}, 11) == 123 */
int max_element(const int *l, int n) {
//@@ reference
    int max = l[0];
    for (int i = 1; i < n; i++) {
        if (l[i] > max)
            max = l[i];
    }
    return max;
}
//@@ tests
assert(max_element((int[]){1, 2, 3}, 3) == 3);

assert(max_element((int[]){5, 3, -5, 2, -3, 3, 9, 0, 124, 1, -10}, 11) == 124);
