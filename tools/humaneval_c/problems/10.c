//@@ prompt
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Test if the first n characters of s form a palindrome. */
bool is_palindrome(const char *s, int n) {
    for (int i = 0; i < n / 2; i++) {
        if (s[i] != s[n - 1 - i])
            return false;
    }
    return true;
}

/* Find the shortest palindrome that begins with the supplied string.
   Algorithm idea:
   - Find the longest postfix of the supplied string that is a palindrome.
   - Append to the end of the string the reverse of the prefix that comes before
     the palindromic suffix.
   Return a newly allocated string (the caller frees it).
   make_palindrome("") gives ""
   make_palindrome("cat") gives "catac"
   make_palindrome("cata") gives "catac" */
char *make_palindrome(const char *str) {
//@@ reference
    int len = strlen(str);
    int start = 0;
    while (!is_palindrome(str + start, len - start))
        start++;
    char *result = malloc(len + start + 1);
    strcpy(result, str);
    for (int i = 0; i < start; i++)
        result[len + i] = str[start - 1 - i];
    result[len + start] = '\0';
    return result;
}
//@@ tests
char *r = make_palindrome("");
assert(egca_str_eq(r, ""));
free(r);

char *r = make_palindrome("x");
assert(egca_str_eq(r, "x"));
free(r);

char *r = make_palindrome("xyz");
assert(egca_str_eq(r, "xyzyx"));
free(r);

char *r = make_palindrome("xyx");
assert(egca_str_eq(r, "xyx"));
free(r);

char *r = make_palindrome("jerry");
assert(egca_str_eq(r, "jerryrrej"));
free(r);
