//@@ prompt
#include <stdbool.h>

/* You are given an array of integers lst[0..n-1]. You need to find the largest
   prime value and return the sum of its digits (0 if there is no prime).
   skjkasdkd((int[]){0, 3, 2, 1, 3, 5, 7, 4, 5, 5, 5, 2, 181, 32, 4, 32, 3, 2, 32, 324, 4, 3}, 22) == 10
   skjkasdkd((int[]){0, 81, 12, 3, 1, 21}, 6) == 3
   skjkasdkd((int[]){0, 8, 1, 2, 1, 7}, 6) == 7 */
int skjkasdkd(const int *lst, int n) {
//@@ reference
    int largest = 0;
    for (int i = 0; i < n; i++) {
        int x = lst[i];
        if (x > largest) {
            bool prime = x >= 2;
            for (int d = 2; d * d <= x; d++) {
                if (x % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime)
                largest = x;
        }
    }
    int sum = 0;
    while (largest > 0) {
        sum += largest % 10;
        largest = largest / 10;
    }
    return sum;
}
//@@ tests
assert(skjkasdkd((int[]){0, 3, 2, 1, 3, 5, 7, 4, 5, 5, 5, 2, 181, 32, 4, 32, 3, 2, 32, 324, 4, 3}, 22) == 10);

assert(skjkasdkd((int[]){1, 0, 1, 8, 2, 4597, 2, 1, 3, 40, 1, 2, 1, 2, 4, 2, 5, 1}, 18) == 25);

assert(skjkasdkd((int[]){1, 3, 1, 32, 5107, 34, 83278, 109, 163, 23, 2323, 32, 30, 1, 9, 3}, 16) == 13);

assert(skjkasdkd((int[]){0, 724, 32, 71, 99, 32, 6, 0, 5, 91, 83, 0, 5, 6}, 14) == 11);

assert(skjkasdkd((int[]){0, 81, 12, 3, 1, 21}, 6) == 3);

assert(skjkasdkd((int[]){0, 8, 1, 2, 1, 7}, 6) == 7);

assert(skjkasdkd((int[]){8191}, 1) == 19);

assert(skjkasdkd((int[]){8191, 123456, 127, 7}, 4) == 19);

assert(skjkasdkd((int[]){127, 97, 8192}, 3) == 10);
