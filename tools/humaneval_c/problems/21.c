//@@ prompt
#include <stdlib.h>

/* Given the array numbers[0..n-1] (n >= 2, not all equal), apply a linear
   transform to it, such that the smallest number becomes 0 and the largest
   becomes 1. Return the transformed values as a newly allocated array of n
   doubles (the caller frees it).
   rescale_to_unit((double[]){1.0, 2.0, 3.0, 4.0, 5.0}, 5) gives {0.0, 0.25, 0.5, 0.75, 1.0} */
double *rescale_to_unit(const double *numbers, int n) {
//@@ reference
    double min = numbers[0];
    double max = numbers[0];
    for (int i = 1; i < n; i++) {
        if (numbers[i] < min)
            min = numbers[i];
        if (numbers[i] > max)
            max = numbers[i];
    }
    double *result = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++)
        result[i] = (numbers[i] - min) / (max - min);
    return result;
}
//@@ tests
double *r = rescale_to_unit((double[]){2.0, 49.9}, 2);
double expected[] = {0.0, 1.0};
for (int i = 0; i < 2; i++)
    assert(r != NULL && egca_double_close(r[i], expected[i]));
free(r);

double *r = rescale_to_unit((double[]){100.0, 49.9}, 2);
double expected[] = {1.0, 0.0};
for (int i = 0; i < 2; i++)
    assert(r != NULL && egca_double_close(r[i], expected[i]));
free(r);

double *r = rescale_to_unit((double[]){1.0, 2.0, 3.0, 4.0, 5.0}, 5);
double expected[] = {0.0, 0.25, 0.5, 0.75, 1.0};
for (int i = 0; i < 5; i++)
    assert(r != NULL && egca_double_close(r[i], expected[i]));
free(r);

double *r = rescale_to_unit((double[]){2.0, 1.0, 5.0, 3.0, 4.0}, 5);
double expected[] = {0.25, 0.0, 1.0, 0.5, 0.75};
for (int i = 0; i < 5; i++)
    assert(r != NULL && egca_double_close(r[i], expected[i]));
free(r);

double *r = rescale_to_unit((double[]){12.0, 11.0, 15.0, 13.0, 14.0}, 5);
double expected[] = {0.25, 0.0, 1.0, 0.5, 0.75};
for (int i = 0; i < 5; i++)
    assert(r != NULL && egca_double_close(r[i], expected[i]));
free(r);
