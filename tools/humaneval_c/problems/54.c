//@@ prompt
#include <stdbool.h>

/* Check if two words have the same set of characters.
   same_chars("eabcdzzzz", "dddzzzzzzzddeddabc") == true
   same_chars("abcd", "dddddddabc") == true
   same_chars("dddddddabc", "abcd") == true
   same_chars("eabcd", "dddddddabc") == false
   same_chars("abcd", "dddddddabce") == false
   same_chars("eabcdzzzz", "dddzzzzzzzddddabc") == false */
bool same_chars(const char *s0, const char *s1) {
//@@ reference
    bool in0[256] = {false};
    bool in1[256] = {false};
    for (int i = 0; s0[i] != '\0'; i++)
        in0[(unsigned char)s0[i]] = true;
    for (int i = 0; s1[i] != '\0'; i++)
        in1[(unsigned char)s1[i]] = true;
    for (int c = 0; c < 256; c++) {
        if (in0[c] != in1[c])
            return false;
    }
    return true;
}
//@@ tests
assert(same_chars("eabcdzzzz", "dddzzzzzzzddeddabc") == true);

assert(same_chars("abcd", "dddddddabc") == true);

assert(same_chars("dddddddabc", "abcd") == true);

assert(same_chars("eabcd", "dddddddabc") == false);

assert(same_chars("abcd", "dddddddabcf") == false);

assert(same_chars("eabcdzzzz", "dddzzzzzzzddddabc") == false);

assert(same_chars("aabb", "aaccc") == false);
