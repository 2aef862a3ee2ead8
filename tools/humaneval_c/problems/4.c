//@@ prompt
#include <math.h>

/* For a given array of numbers (numbers[0..n-1], n > 0), calculate the Mean
   Absolute Deviation around the mean of this dataset.
   Mean Absolute Deviation is the average absolute difference between each
   element and a centerpoint (the mean in this case):
   MAD = average | x - x_mean |
   mean_absolute_deviation((double[]){1.0, 2.0, 3.0, 4.0}, 4) == 1.0 */
double mean_absolute_deviation(const double *numbers, int n) {
//@@ reference
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += numbers[i];
    double mean = sum / n;
    double deviation = 0.0;
    for (int i = 0; i < n; i++)
        deviation += fabs(numbers[i] - mean);
    return deviation / n;
}
//@@ tests
assert(egca_double_close(mean_absolute_deviation((double[]){1.0, 2.0, 3.0}, 3), 2.0 / 3.0));

assert(egca_double_close(mean_absolute_deviation((double[]){1.0, 2.0, 3.0, 4.0}, 4), 1.0));

assert(egca_double_close(mean_absolute_deviation((double[]){1.0, 2.0, 3.0, 4.0, 5.0}, 5), 6.0 / 5.0));
