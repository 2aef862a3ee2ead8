//@@ prompt
#include <ctype.h>

/* Write a function that takes a string as input and returns the sum of the
   ASCII codes of its uppercase characters only.
   digitSum("") == 0
   digitSum("abAB") == 131
   digitSum("abcCd") == 67
   digitSum("helloE") == 69
   digitSum("woArBld") == 131
   digitSum("aAaaaXa") == 153 */
int digitSum(const char *s) {
//@@ reference
    int sum = 0;
    for (int i = 0; s[i] != '\0'; i++) {
        if (isupper((unsigned char)s[i]))
            sum += s[i];
    }
    return sum;
}
//@@ tests
assert(digitSum("") == 0);

assert(digitSum("abAB") == 131);

assert(digitSum("abcCd") == 67);

assert(digitSum("helloE") == 69);

assert(digitSum("woArBld") == 131);

assert(digitSum("aAaaaXa") == 153);

assert(digitSum(" How are yOu?") == 151);

assert(digitSum("You arE Very Smart") == 327);
