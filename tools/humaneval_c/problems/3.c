//@@ prompt
#include <stdbool.h>

/* You're given an array of deposit and withdrawal operations (operations[0..n-1])
   on a bank account that starts with zero balance. Your task is to detect if at
   any point the balance of the account falls below zero, and at that point the
   function should return true. Otherwise it should return false.
   below_zero((int[]){1, 2, 3}, 3) == false
   below_zero((int[]){1, 2, -4, 5}, 4) == true */
bool below_zero(const int *operations, int n) {
//@@ reference
    int balance = 0;
    for (int i = 0; i < n; i++) {
        balance += operations[i];
        if (balance < 0)
            return true;
    }
    return false;
}
//@@ tests
assert(below_zero(NULL, 0) == false);

assert(below_zero((int[]){1, 2, -3, 1, 2, -3}, 6) == false);

assert(below_zero((int[]){1, 2, -4, 5, 6}, 5) == true);

assert(below_zero((int[]){1, -1, 2, -2, 5, -5, 4, -4}, 8) == false);

assert(below_zero((int[]){1, -1, 2, -2, 5, -5, 4, -5}, 8) == true);

assert(below_zero((int[]){1, -2, 2, -2, 5, -5, 4, -4}, 8) == true);
