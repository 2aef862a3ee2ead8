//@@ prompt
/* Create a function which returns the largest index of an element which is not
   greater than or equal to the element immediately preceding it. If no such
   element exists, return -1. The array arr[0..n-1] contains no duplicates.
   can_arrange((int[]){1, 2, 4, 3, 5}, 5) == 3
   can_arrange((int[]){1, 2, 3}, 3) == -1 */
int can_arrange(const int *arr, int n) {
//@@ reference
    int index = -1;
    for (int i = 1; i < n; i++) {
        if (arr[i] < arr[i - 1])
            index = i;
    }
    return index;
}
//@@ tests
assert(can_arrange((int[]){1, 2, 4, 3, 5}, 5) == 3);

assert(can_arrange((int[]){1, 2, 4, 5}, 4) == -1);

assert(can_arrange((int[]){1, 4, 2, 5, 6, 7, 8, 9, 10}, 9) == 2);

assert(can_arrange((int[]){4, 8, 5, 7, 3}, 5) == 4);

assert(can_arrange(NULL, 0) == -1);
