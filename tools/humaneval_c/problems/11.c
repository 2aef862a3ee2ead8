//@@ prompt
#include <stdlib.h>
#include <string.h>

/* The inputs are two strings a and b of equal length consisting only of '1's
   and '0's. Perform binary XOR on these inputs and return the result, also as a
   newly allocated string (the caller frees it).
   string_xor("010", "110") gives "100" */
char *string_xor(const char *a, const char *b) {
//@@ reference
    int len = strlen(a);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++) {
        if (a[i] == b[i])
            result[i] = '0';
        else
            result[i] = '1';
    }
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = string_xor("111000", "101010");
assert(egca_str_eq(r, "010010"));
free(r);

char *r = string_xor("1", "1");
assert(egca_str_eq(r, "0"));
free(r);

char *r = string_xor("0101", "0000");
assert(egca_str_eq(r, "0101"));
free(r);
