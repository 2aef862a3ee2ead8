//@@ prompt
#include <stdlib.h>
#include <string.h>

/* Filter the array of strings strings[0..n-1], keeping only the ones that start
   with the given prefix. Return a newly allocated array of pointers into the
   input (the caller frees the array, not the strings) and store its length in
   *out_n.
   filter_by_prefix(NULL, 0, "a", &len) gives {} (len == 0)
   filter_by_prefix((const char *[]){"abc", "bcd", "cde", "array"}, 4, "a", &len) gives {"abc", "array"} */
const char **filter_by_prefix(const char **strings, int n, const char *prefix, int *out_n) {
//@@ reference
    const char **result = malloc(sizeof(const char *) * (n > 0 ? n : 1));
    int prefix_len = strlen(prefix);
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(strings[i], prefix, prefix_len) == 0) {
            result[count] = strings[i];
            count++;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
const char **r = filter_by_prefix(NULL, 0, "john", &len);
assert(len == 0);
free(r);

int len = -1;
const char **r = filter_by_prefix((const char *[]){"xxx", "asd", "xxy", "john doe", "xxxAAA", "xxx"}, 6, "xxx", &len);
assert(len == 3);
assert(egca_str_eq(r[0], "xxx") && egca_str_eq(r[1], "xxxAAA") && egca_str_eq(r[2], "xxx"));
free(r);
