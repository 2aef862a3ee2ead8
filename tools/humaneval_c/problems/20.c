//@@ prompt
#include <math.h>

/* From the array numbers[0..n-1] (n >= 2), select the two numbers that are the
   closest to each other and store them in order (smaller number, larger number)
   in *first and *second.
   find_closest_elements((double[]){1.0, 2.0, 3.0, 4.0, 5.0, 2.2}, 6, &a, &b) gives a == 2.0, b == 2.2
   find_closest_elements((double[]){1.0, 2.0, 3.0, 4.0, 5.0, 2.0}, 6, &a, &b) gives a == 2.0, b == 2.0 */
void find_closest_elements(const double *numbers, int n, double *first, double *second) {
//@@ reference
    double best_distance = -1.0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            double distance = fabs(numbers[i] - numbers[j]);
            if (best_distance < 0 || distance < best_distance) {
                best_distance = distance;
                if (numbers[i] < numbers[j]) {
                    *first = numbers[i];
                    *second = numbers[j];
                } else {
                    *first = numbers[j];
                    *second = numbers[i];
                }
            }
        }
    }
}
//@@ tests
double a = -1, b = -1;
find_closest_elements((double[]){1.0, 2.0, 3.9, 4.0, 5.0, 2.2}, 6, &a, &b);
assert(egca_double_close(a, 3.9) && egca_double_close(b, 4.0));

double a = -1, b = -1;
find_closest_elements((double[]){1.0, 2.0, 5.9, 4.0, 5.0}, 5, &a, &b);
assert(egca_double_close(a, 5.0) && egca_double_close(b, 5.9));

double a = -1, b = -1;
find_closest_elements((double[]){1.0, 2.0, 3.0, 4.0, 5.0, 2.2}, 6, &a, &b);
assert(egca_double_close(a, 2.0) && egca_double_close(b, 2.2));

double a = -1, b = -1;
find_closest_elements((double[]){1.0, 2.0, 3.0, 4.0, 5.0, 2.0}, 6, &a, &b);
assert(egca_double_close(a, 2.0) && egca_double_close(b, 2.0));

double a = -1, b = -1;
find_closest_elements((double[]){1.1, 2.2, 3.1, 4.1, 5.1}, 5, &a, &b);
assert(egca_double_close(a, 2.2) && egca_double_close(b, 3.1));
//@@ wrong
    *first = numbers[0];
    *second = numbers[1];
}
