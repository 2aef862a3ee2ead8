//@@ prompt
#include <stdlib.h>

/* Return the median of the elements of the array l[0..n-1] (n > 0). The input
   array is not modified.
   median((int[]){3, 1, 2, 4, 5}, 5) == 3.0
   median((int[]){-10, 4, 6, 1000, 10, 20}, 6) == 8.0 */
double median(const int *l, int n) {
//@@ reference
    int *sorted = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++)
        sorted[i] = l[i];
    for (int i = 1; i < n; i++) {
        int value = sorted[i];
        int j = i - 1;
        while (j >= 0 && sorted[j] > value) {
            sorted[j + 1] = sorted[j];
            j--;
        }
        sorted[j + 1] = value;
    }
    double result;
    if (n % 2 == 1)
        result = sorted[n / 2];
    else
        result = (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    free(sorted);
    return result;
}
//@@ tests
assert(median((int[]){3, 1, 2, 4, 5}, 5) == 3);

assert(median((int[]){-10, 4, 6, 1000, 10, 20}, 6) == 8.0);

assert(median((int[]){5}, 1) == 5);

assert(median((int[]){6, 5}, 2) == 5.5);

assert(median((int[]){8, 1, 3, 9, 9, 2, 7}, 7) == 7);
