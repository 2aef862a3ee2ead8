//@@ prompt
#include <string.h>

/* Find how many times the given substring can be found in the original string.
   Count overlapping cases.
   how_many_times("", "a") == 0
   how_many_times("aaa", "a") == 3
   how_many_times("aaaa", "aa") == 3 */
int how_many_times(const char *str, const char *substring) {
//@@ reference
    int len = strlen(str);
    int sub_len = strlen(substring);
    int count = 0;
    for (int i = 0; i + sub_len <= len; i++) {
        if (strncmp(str + i, substring, sub_len) == 0)
            count++;
    }
    return count;
}
//@@ tests
assert(how_many_times("", "x") == 0);

assert(how_many_times("xyxyxyx", "x") == 4);

assert(how_many_times("cacacacac", "cac") == 4);

assert(how_many_times("john doe", "john") == 1);
