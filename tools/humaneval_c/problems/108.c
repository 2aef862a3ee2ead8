//@@ prompt
/* Write a function count_nums which takes an array of integers arr[0..n-1] and
   returns the number of elements which have a sum of digits > 0.
   If a number is negative, then its first signed digit will be negative:
   e.g. -123 has signed digits -1, 2, and 3.
   count_nums(NULL, 0) == 0
   count_nums((int[]){-1, 11, -11}, 3) == 1
   count_nums((int[]){1, 1, 2}, 3) == 3 */
int count_nums(const int *arr, int n) {
//@@ reference
    int count = 0;
    for (int i = 0; i < n; i++) {
        int x = arr[i];
        int sign = 1;
        if (x < 0) {
            x = -x;
            sign = -1;
        }
        int sum = 0;
        while (x >= 10) {
            sum += x % 10;
            x = x / 10;
        }
        sum += sign * x;
        if (sum > 0)
            count++;
    }
    return count;
}
//@@ tests
assert(count_nums(NULL, 0) == 0);

assert(count_nums((int[]){-1, -2, 0}, 3) == 0);

assert(count_nums((int[]){1, 1, 2, -2, 3, 4, 5}, 7) == 6);

assert(count_nums((int[]){1, 6, 9, -6, 0, 1, 5}, 7) == 5);

assert(count_nums((int[]){1, 100, 98, -7, 1, -1}, 6) == 4);

assert(count_nums((int[]){12, 23, 34, -45, -56, 0}, 6) == 5);

assert(count_nums((int[]){0, 1}, 2) == 1);

assert(count_nums((int[]){1}, 1) == 1);
