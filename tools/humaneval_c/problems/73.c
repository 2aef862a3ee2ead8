//@@ prompt
/* Given the array arr[0..n-1] of integers, find the minimum number of elements
   that need to be changed to make the array palindromic. A palindromic array is
   an array that is read the same backwards and forwards. In one change, you can
   change one element to any other element.
   smallest_change((int[]){1, 2, 3, 5, 4, 7, 9, 6}, 8) == 4
   smallest_change((int[]){1, 2, 3, 4, 3, 2, 2}, 7) == 1
   smallest_change((int[]){1, 2, 3, 2, 1}, 5) == 0 */
int smallest_change(const int *arr, int n) {
//@@ reference
    int changes = 0;
    for (int i = 0; i < n / 2; i++) {
        if (arr[i] != arr[n - 1 - i])
            changes++;
    }
    return changes;
}
//@@ tests
assert(smallest_change((int[]){1, 2, 3, 5, 4, 7, 9, 6}, 8) == 4);

assert(smallest_change((int[]){1, 2, 3, 4, 3, 2, 2}, 7) == 1);

assert(smallest_change((int[]){1, 4, 2}, 3) == 1);

assert(smallest_change((int[]){1, 4, 4, 2}, 4) == 1);

assert(smallest_change((int[]){1, 2, 3, 2, 1}, 5) == 0);

assert(smallest_change((int[]){3, 1, 1, 3}, 4) == 0);

assert(smallest_change((int[]){1}, 1) == 0);

assert(smallest_change((int[]){0, 1}, 2) == 1);
