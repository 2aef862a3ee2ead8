//@@ prompt
#include <stdbool.h>

/* We have an array arr[0..n-1] of n distinct integers. Determine if it is
   possible to get the array sorted in non-decreasing order by performing right
   shift operations (any number of times). One right shift moves all elements one
   position to the right and the last element to position 0.
   If the array is empty, return true.
   move_one_ball((int[]){3, 4, 5, 1, 2}, 5) == true
   move_one_ball((int[]){3, 5, 4, 1, 2}, 5) == false */
bool move_one_ball(const int *arr, int n) {
//@@ reference
    int descents = 0;
    for (int i = 1; i < n; i++) {
        if (arr[i] < arr[i - 1])
            descents++;
    }
    if (descents == 0)
        return true;
    if (descents == 1 && arr[n - 1] <= arr[0])
        return true;
    return false;
}
//@@ tests
assert(move_one_ball((int[]){3, 4, 5, 1, 2}, 5) == true);

assert(move_one_ball((int[]){3, 5, 10, 1, 2}, 5) == true);

assert(move_one_ball((int[]){4, 3, 1, 2}, 4) == false);

assert(move_one_ball((int[]){3, 5, 4, 1, 2}, 5) == false);

assert(move_one_ball(NULL, 0) == true);
