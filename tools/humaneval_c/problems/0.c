//@@ prompt
#include <stdbool.h>
#include <math.h>

/* Check if in the given array of numbers (numbers[0..n-1]) any two numbers are
   closer to each other than the given threshold.
   has_close_elements((double[]){1.0, 2.0, 3.0}, 3, 0.5) == false
   has_close_elements((double[]){1.0, 2.8, 3.0, 4.0, 5.0, 2.0}, 6, 0.3) == true */
bool has_close_elements(const double *numbers, int n, double threshold) {
//@@ reference
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i != j) {
                double distance = fabs(numbers[i] - numbers[j]);
                if (distance < threshold)
                    return true;
            }
        }
    }
    return false;
}
//@@ tests
assert(has_close_elements((double[]){1.0, 2.0, 3.9, 4.0, 5.0, 2.2}, 6, 0.3) == true);

assert(has_close_elements((double[]){1.0, 2.0, 3.9, 4.0, 5.0, 2.2}, 6, 0.05) == false);

assert(has_close_elements((double[]){1.0, 2.0, 5.9, 4.0, 5.0}, 5, 0.95) == true);

assert(has_close_elements((double[]){1.0, 2.0, 5.9, 4.0, 5.0}, 5, 0.8) == false);

assert(has_close_elements((double[]){1.0, 2.0, 3.0, 4.0, 5.0, 2.0}, 6, 0.1) == true);

assert(has_close_elements((double[]){1.1, 2.2, 3.1, 4.1, 5.1}, 5, 1.0) == true);

assert(has_close_elements((double[]){1.1, 2.2, 3.1, 4.1, 5.1}, 5, 0.5) == false);
