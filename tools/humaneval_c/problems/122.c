//@@ prompt
/* Given a non-empty array of integers arr[0..n-1] and an integer k, return the
   sum of the elements with at most two digits from the first k elements of arr.
   add_elements((int[]){111, 21, 3, 4000, 5, 6, 7, 8, 9}, 9, 4) == 24   (21 + 3)
   Constraints: 1 <= n <= 100, 1 <= k <= n */
int add_elements(const int *arr, int n, int k) {
//@@ reference
    int sum = 0;
    for (int i = 0; i < k && i < n; i++) {
        if (arr[i] >= -99 && arr[i] <= 99)
            sum += arr[i];
    }
    return sum;
}
//@@ tests
assert(add_elements((int[]){1, -2, -3, 41, 57, 76, 87, 88, 99}, 9, 3) == -4);

assert(add_elements((int[]){111, 121, 3, 4000, 5, 6}, 6, 2) == 0);

assert(add_elements((int[]){11, 21, 3, 90, 5, 6, 7, 8, 9}, 9, 4) == 125);

assert(add_elements((int[]){111, 21, 3, 4000, 5, 6, 7, 8, 9}, 9, 4) == 24);

assert(add_elements((int[]){1}, 1, 1) == 1);
