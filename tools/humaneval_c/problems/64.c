//@@ prompt
#include <ctype.h>
#include <string.h>

/* Write a function vowels_count which takes a string representing a word as
   input and returns the number of vowels in the string.
   Vowels in this case are 'a', 'e', 'i', 'o', 'u' (in either case). Here, 'y'
   is also a vowel, but only when it is at the end of the given word.
   vowels_count("abcde") == 2
   vowels_count("ACEDY") == 3 */
int vowels_count(const char *s) {
//@@ reference
    int len = strlen(s);
    int count = 0;
    for (int i = 0; i < len; i++) {
        char c = tolower((unsigned char)s[i]);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u')
            count++;
    }
    if (len > 0 && tolower((unsigned char)s[len - 1]) == 'y')
        count++;
    return count;
}
//@@ tests
assert(vowels_count("abcde") == 2);

assert(vowels_count("Alone") == 3);

assert(vowels_count("key") == 2);

assert(vowels_count("bye") == 1);

assert(vowels_count("keY") == 2);

assert(vowels_count("bYe") == 1);

assert(vowels_count("ACEDY") == 3);
