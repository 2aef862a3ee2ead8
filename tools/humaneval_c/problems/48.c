//@@ prompt
#include <stdbool.h>
#include <string.h>

/* Check if the given string is a palindrome.
   is_palindrome("") == true
   is_palindrome("aba") == true
   is_palindrome("aaaaa") == true
   is_palindrome("zbcd") == false */
bool is_palindrome(const char *text) {
//@@ reference
    int len = strlen(text);
    for (int i = 0; i < len / 2; i++) {
        if (text[i] != text[len - 1 - i])
            return false;
    }
    return true;
}
//@@ tests
assert(is_palindrome("") == true);

assert(is_palindrome("aba") == true);

assert(is_palindrome("aaaaa") == true);

assert(is_palindrome("zbcd") == false);

assert(is_palindrome("xywyx") == true);

assert(is_palindrome("xywyz") == false);

assert(is_palindrome("xywzx") == false);
