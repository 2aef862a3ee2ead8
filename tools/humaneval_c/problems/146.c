//@@ prompt
/* Write a function that takes an array of numbers nums[0..n-1] as input and
   returns the number of elements in the array that are greater than 10 and
   whose first and last digits are both odd (1, 3, 5, 7, 9).
   specialFilter((int[]){15, -73, 14, -15}, 4) == 1
   specialFilter((int[]){33, -2, -3, 45, 21, 109}, 6) == 2 */
int specialFilter(const int *nums, int n) {
//@@ reference
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (nums[i] > 10) {
            int last = nums[i] % 10;
            int first = nums[i];
            while (first >= 10)
                first = first / 10;
            if (first % 2 == 1 && last % 2 == 1)
                count++;
        }
    }
    return count;
}
//@@ tests
assert(specialFilter((int[]){5, -2, 1, -5}, 4) == 0);

assert(specialFilter((int[]){15, -73, 14, -15}, 4) == 1);

assert(specialFilter((int[]){33, -2, -3, 45, 21, 109}, 6) == 2);

assert(specialFilter((int[]){43, -12, 93, 125, 121, 109}, 6) == 4);

assert(specialFilter((int[]){71, -2, -33, 75, 21, 19}, 6) == 3);

assert(specialFilter((int[]){1}, 1) == 0);

assert(specialFilter(NULL, 0) == 0);
