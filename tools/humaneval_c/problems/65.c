//@@ prompt
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Circular shift the digits of the integer x (x >= 0): shift the digits right
   by shift and return the result as a newly allocated string (the caller frees
   it). If shift > number of digits, return the digits reversed.
   circular_shift(12, 1) gives "21"
   circular_shift(12, 2) gives "12" */
char *circular_shift(int x, int shift) {
//@@ reference
    char digits[16];
    sprintf(digits, "%d", x);
    int len = strlen(digits);
    char *result = malloc(len + 1);
    if (shift > len) {
        for (int i = 0; i < len; i++)
            result[i] = digits[len - 1 - i];
    } else {
        for (int i = 0; i < len; i++)
            result[(i + shift) % len] = digits[i];
    }
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = circular_shift(100, 2);
assert(egca_str_eq(r, "001"));
free(r);

char *r = circular_shift(12, 2);
assert(egca_str_eq(r, "12"));
free(r);

char *r = circular_shift(97, 8);
assert(egca_str_eq(r, "79"));
free(r);

char *r = circular_shift(12, 1);
assert(egca_str_eq(r, "21"));
free(r);

char *r = circular_shift(11, 101);
assert(egca_str_eq(r, "11"));
free(r);
