//@@ prompt
#include <stdbool.h>
#include <string.h>

/* You are given a string s.
   Your task is to check if the string is happy or not.
   A string is happy if its length is at least 3 and every 3 consecutive
   letters are distinct.
   is_happy("a") == false
   is_happy("aa") == false
   is_happy("abcd") == true
   is_happy("aabb") == false
   is_happy("adb") == true
   is_happy("xyy") == false */
bool is_happy(const char *s) {
//@@ reference
    int len = strlen(s);
    if (len < 3)
        return false;
    for (int i = 0; i + 2 < len; i++) {
        if (s[i] == s[i + 1] || s[i + 1] == s[i + 2] || s[i] == s[i + 2])
            return false;
    }
    return true;
}
//@@ tests
assert(is_happy("a") == false);

assert(is_happy("aa") == false);

assert(is_happy("abcd") == true);

assert(is_happy("aabb") == false);

assert(is_happy("adb") == true);

assert(is_happy("xyy") == false);

assert(is_happy("iopaxpoi") == true);

assert(is_happy("iopaxioi") == false);
