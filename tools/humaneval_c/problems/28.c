//@@ prompt
#include <stdlib.h>
#include <string.h>

/* Concatenate the array of strings strings[0..n-1] into a single newly
   allocated string (the caller frees it).
   concatenate(NULL, 0) gives ""
   concatenate((const char *[]){"a", "b", "c"}, 3) gives "abc" */
char *concatenate(const char **strings, int n) {
//@@ reference
    int total = 0;
    for (int i = 0; i < n; i++)
        total += strlen(strings[i]);
    char *result = malloc(total + 1);
    result[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(result, strings[i]);
    return result;
}
//@@ tests
char *r = concatenate(NULL, 0);
assert(egca_str_eq(r, ""));
free(r);

char *r = concatenate((const char *[]){"x", "y", "z"}, 3);
assert(egca_str_eq(r, "xyz"));
free(r);

char *r = concatenate((const char *[]){"x", "y", "z", "w", "k"}, 5);
assert(egca_str_eq(r, "xyzwk"));
free(r);
