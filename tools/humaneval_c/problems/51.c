//@@ prompt
#include <stdlib.h>
#include <string.h>

/* remove_vowels takes a string and returns a newly allocated string (the caller
   frees it) without the vowels (a, e, i, o, u in either case).
   remove_vowels("") gives ""
   remove_vowels("abcdef\nghijklm") gives "bcdf\nghjklm"
   remove_vowels("abcdef") gives "bcdf"
   remove_vowels("aaaaa") gives ""
   remove_vowels("aaBAA") gives "B"
   remove_vowels("zbcd") gives "zbcd" */
char *remove_vowels(const char *text) {
//@@ reference
    char *result = malloc(strlen(text) + 1);
    int count = 0;
    for (int i = 0; text[i] != '\0'; i++) {
        if (strchr("aeiouAEIOU", text[i]) == NULL) {
            result[count] = text[i];
            count++;
        }
    }
    result[count] = '\0';
    return result;
}
//@@ tests
char *r = remove_vowels("");
assert(egca_str_eq(r, ""));
free(r);

char *r = remove_vowels("abcdef\nghijklm");
assert(egca_str_eq(r, "bcdf\nghjklm"));
free(r);

char *r = remove_vowels("fedcba");
assert(egca_str_eq(r, "fdcb"));
free(r);

char *r = remove_vowels("eeeee");
assert(egca_str_eq(r, ""));
free(r);

char *r = remove_vowels("acBAA");
assert(egca_str_eq(r, "cB"));
free(r);

char *r = remove_vowels("EcBOO");
assert(egca_str_eq(r, "cB"));
free(r);

char *r = remove_vowels("ybcd");
assert(egca_str_eq(r, "ybcd"));
free(r);
