//@@ prompt
/* This function takes an array of integers lst[0..n-1]. For all entries, the
   function squares the entry if its index is a multiple of 3 and cubes the
   entry if its index is a multiple of 4 and not a multiple of 3. Entries whose
   indexes are not a multiple of 3 or 4 are not changed. The function then
   returns the sum of all entries.
   sum_squares((int[]){1, 2, 3}, 3) == 6
   sum_squares(NULL, 0) == 0
   sum_squares((int[]){-1, -5, 2, -1, -5}, 5) == -126 */
int sum_squares(const int *lst, int n) {
//@@ reference
    int sum = 0;
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0)
            sum += lst[i] * lst[i];
        else if (i % 4 == 0)
            sum += lst[i] * lst[i] * lst[i];
        else
            sum += lst[i];
    }
    return sum;
}
//@@ tests
assert(sum_squares((int[]){1, 2, 3}, 3) == 6);

assert(sum_squares((int[]){1, 4, 9}, 3) == 14);

assert(sum_squares(NULL, 0) == 0);

assert(sum_squares((int[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, 9) == 9);

assert(sum_squares((int[]){-1, -1, -1, -1, -1, -1, -1, -1, -1}, 9) == -3);

assert(sum_squares((int[]){0}, 1) == 0);

assert(sum_squares((int[]){-1, -5, 2, -1, -5}, 5) == -126);

assert(sum_squares((int[]){-56, -99, 1, 0, -2}, 5) == 3030);

assert(sum_squares((int[]){-1, 0, 0, 0, 0, 0, 0, 0, -1}, 9) == 0);

assert(sum_squares((int[]){-16, -9, -2, 36, 36, 26, -20, 25, -40, 20, -4, 12, -26, 35, 37}, 15) == -14196);

assert(sum_squares((int[]){-1, -3, 17, -1, -15, 13, -1, 14, -14, -12, -5, 14, -14, 6, 13, 11, 16, 16, 4, 10}, 20) == -1448);
