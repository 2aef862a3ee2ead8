//@@ prompt
#include <ctype.h>
#include <stdbool.h>

/* Given a string, find out how many distinct characters (regardless of case) it
   consists of.
   count_distinct_characters("xyzXYZ") == 3
   count_distinct_characters("Jerry") == 4 */
int count_distinct_characters(const char *str) {
//@@ reference
    bool seen[256] = {false};
    int count = 0;
    for (int i = 0; str[i] != '\0'; i++) {
        unsigned char c = tolower((unsigned char)str[i]);
        if (!seen[c]) {
            seen[c] = true;
            count++;
        }
    }
    return count;
}
//@@ tests
assert(count_distinct_characters("") == 0);

assert(count_distinct_characters("abcde") == 5);

assert(count_distinct_characters("abcdecadeCADE") == 5);

assert(count_distinct_characters("aaaaAAAAaaaa") == 1);

assert(count_distinct_characters("Jerry jERRY JeRRRY") == 5);
