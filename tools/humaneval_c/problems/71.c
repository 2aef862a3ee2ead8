//@@ prompt
#include <math.h>

/* Given the lengths of the three sides of a triangle, return the area of the
   triangle rounded to 2 decimal places if the three sides form a valid
   triangle. Otherwise return -1.
   Three sides make a valid triangle when the sum of any two sides is greater
   than the third side.
   triangle_area(3, 4, 5) == 6.00
   triangle_area(1, 2, 10) == -1 */
double triangle_area(double a, double b, double c) {
//@@ reference
    if (a + b <= c || a + c <= b || b + c <= a)
        return -1;
    double s = (a + b + c) / 2;
    double area = sqrt(s * (s - a) * (s - b) * (s - c));
    return round(area * 100) / 100;
}
//@@ tests
assert(egca_double_close(triangle_area(3, 4, 5), 6.00));

assert(egca_double_close(triangle_area(1, 2, 10), -1));

assert(egca_double_close(triangle_area(4, 8, 5), 8.18));

assert(egca_double_close(triangle_area(2, 2, 2), 1.73));

assert(egca_double_close(triangle_area(1, 2, 3), -1));

assert(egca_double_close(triangle_area(10, 5, 7), 16.25));

assert(egca_double_close(triangle_area(2, 6, 3), -1));

assert(egca_double_close(triangle_area(1, 1, 1), 0.43));

assert(egca_double_close(triangle_area(2, 2, 10), -1));
