//@@ prompt
#include <stdbool.h>

/* Given the lengths of the three sides of a triangle, return true if the three
   sides form a right-angled triangle, false otherwise. A right-angled triangle
   is a triangle in which one angle is a right angle (90 degrees).
   right_angle_triangle(3, 4, 5) == true
   right_angle_triangle(1, 2, 3) == false */
bool right_angle_triangle(int a, int b, int c) {
//@@ reference
    return a * a == b * b + c * c || b * b == a * a + c * c || c * c == a * a + b * b;
}
//@@ tests
assert(right_angle_triangle(3, 4, 5) == true);

assert(right_angle_triangle(1, 2, 3) == false);

assert(right_angle_triangle(10, 6, 8) == true);

assert(right_angle_triangle(2, 2, 2) == false);

assert(right_angle_triangle(7, 24, 25) == true);

assert(right_angle_triangle(10, 5, 7) == false);

assert(right_angle_triangle(5, 12, 13) == true);

assert(right_angle_triangle(15, 8, 17) == true);

assert(right_angle_triangle(48, 55, 73) == true);

assert(right_angle_triangle(1, 1, 1) == false);

assert(right_angle_triangle(2, 2, 10) == false);
