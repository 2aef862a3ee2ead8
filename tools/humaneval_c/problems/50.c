//@@ prompt
#include <stdlib.h>
#include <string.h>

/* Return a newly allocated string (the caller frees it): s, a string of
   lowercase letters, with every character shifted by 5 in the alphabet. */
char *encode_shift(const char *s) {
    int len = strlen(s);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++)
        result[i] = 'a' + (s[i] - 'a' + 5) % 26;
    result[len] = '\0';
    return result;
}

/* Takes as input a string of lowercase letters encoded with the encode_shift
   function. Returns the decoded string, newly allocated (the caller frees it).
   decode_shift("fgh") gives "abc" */
char *decode_shift(const char *s) {
//@@ reference
    int len = strlen(s);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++)
        result[i] = 'a' + (s[i] - 'a' + 21) % 26;
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = decode_shift("fgh");
assert(egca_str_eq(r, "abc"));
free(r);

char *r = decode_shift("cdezab");
assert(egca_str_eq(r, "xyzuvw"));
free(r);

const char *words[] = {"helloworld", "zzzzzzzzzz", "thequickbrownfoxjumps", "abcdefghijklmnopqrstuvwxyz"};
for (int i = 0; i < 4; i++) {
    char *encoded = encode_shift(words[i]);
    char *r = decode_shift(encoded);
    assert(egca_str_eq(r, words[i]));
    free(r);
    free(encoded);
}
