//@@ prompt
#include <stddef.h>
#include <string.h>

/* Out of the array of strings strings[0..n-1], return the longest one. Return
   the first one in case of multiple strings of the same length. Return NULL in
   case the array is empty. The result points into the input (no copy).
   longest(NULL, 0) == NULL
   longest((const char *[]){"a", "b", "c"}, 3) is "a"
   longest((const char *[]){"a", "bb", "ccc"}, 3) is "ccc" */
const char *longest(const char **strings, int n) {
//@@ reference
    const char *best = NULL;
    int best_len = -1;
    for (int i = 0; i < n; i++) {
        int len = strlen(strings[i]);
        if (len > best_len) {
            best = strings[i];
            best_len = len;
        }
    }
    return best;
}
//@@ tests
assert(longest(NULL, 0) == NULL);

assert(egca_str_eq(longest((const char *[]){"x", "y", "z"}, 3), "x"));

assert(egca_str_eq(longest((const char *[]){"x", "yyy", "zzzz", "www", "kkkk", "abc"}, 6), "zzzz"));
