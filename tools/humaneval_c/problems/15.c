//@@ prompt
#include <stdio.h>
#include <stdlib.h>

/* Return a newly allocated string (the caller frees it) containing the
   space-delimited numbers starting from 0 up to n inclusive (n >= 0).
   string_sequence(0) gives "0"
   string_sequence(5) gives "0 1 2 3 4 5" */
char *string_sequence(int n) {
//@@ reference
    char *result = malloc(12 * (n + 1));
    int pos = 0;
    for (int i = 0; i <= n; i++) {
        if (i > 0) {
            result[pos] = ' ';
            pos++;
        }
        pos += sprintf(result + pos, "%d", i);
    }
    result[pos] = '\0';
    return result;
}
//@@ tests
char *r = string_sequence(0);
assert(egca_str_eq(r, "0"));
free(r);

char *r = string_sequence(3);
assert(egca_str_eq(r, "0 1 2 3"));
free(r);

char *r = string_sequence(10);
assert(egca_str_eq(r, "0 1 2 3 4 5 6 7 8 9 10"));
free(r);
