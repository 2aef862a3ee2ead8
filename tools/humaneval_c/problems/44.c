//@@ prompt
#include <stdlib.h>

/* Change the numerical base of the input number x (x > 0) to base (2 <= base
   < 10). Return the string representation after the conversion, as a newly
   allocated string (the caller frees it).
   change_base(8, 3) gives "22"
   change_base(8, 2) gives "1000"
   change_base(7, 2) gives "111" */
char *change_base(int x, int base) {
//@@ reference
    char digits[40];
    int count = 0;
    while (x > 0) {
        digits[count] = '0' + x % base;
        count++;
        x = x / base;
    }
    char *result = malloc(count + 1);
    for (int i = 0; i < count; i++)
        result[i] = digits[count - 1 - i];
    result[count] = '\0';
    return result;
}
//@@ tests
char *r = change_base(8, 3);
assert(egca_str_eq(r, "22"));
free(r);

char *r = change_base(9, 3);
assert(egca_str_eq(r, "100"));
free(r);

char *r = change_base(234, 2);
assert(egca_str_eq(r, "11101010"));
free(r);

char *r = change_base(16, 2);
assert(egca_str_eq(r, "10000"));
free(r);

char *r = change_base(8, 2);
assert(egca_str_eq(r, "1000"));
free(r);

char *r = change_base(7, 2);
assert(egca_str_eq(r, "111"));
free(r);

for (int x = 2; x < 8; x++) {
    char *r = change_base(x, x + 1);
    char expected[2] = {'0' + x, '\0'};
    assert(egca_str_eq(r, expected));
    free(r);
}
