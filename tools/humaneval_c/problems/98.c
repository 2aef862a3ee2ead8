//@@ prompt
#include <string.h>

/* Given a string s, count the number of uppercase vowels at even indices.
   count_upper("aBCdEf") == 1
   count_upper("abcdefg") == 0
   count_upper("dBBE") == 0 */
int count_upper(const char *s) {
//@@ reference
    int len = strlen(s);
    int count = 0;
    for (int i = 0; i < len; i += 2) {
        if (strchr("AEIOU", s[i]) != NULL)
            count++;
    }
    return count;
}
//@@ tests
assert(count_upper("aBCdEf") == 1);

assert(count_upper("abcdefg") == 0);

assert(count_upper("dBBE") == 0);

assert(count_upper("B") == 0);

assert(count_upper("U") == 1);

assert(count_upper("") == 0);

assert(count_upper("EEEE") == 2);
