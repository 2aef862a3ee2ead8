//@@ prompt
#include <stdlib.h>
#include <string.h>

/* Create a function encrypt that takes a string of lowercase letters as an
   argument and returns a newly allocated string (the caller frees it) encrypted
   with the alphabet being rotated: the letters shift down by two multiplied by
   two places (that is, by four).
   encrypt("hi") gives "lm"
   encrypt("asdfghjkl") gives "ewhjklnop"
   encrypt("gf") gives "kj"
   encrypt("et") gives "ix" */
char *encrypt(const char *s) {
//@@ reference
    int len = strlen(s);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++)
        result[i] = 'a' + (s[i] - 'a' + 4) % 26;
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = encrypt("hi");
assert(egca_str_eq(r, "lm"));
free(r);

char *r = encrypt("asdfghjkl");
assert(egca_str_eq(r, "ewhjklnop"));
free(r);

char *r = encrypt("gf");
assert(egca_str_eq(r, "kj"));
free(r);

char *r = encrypt("et");
assert(egca_str_eq(r, "ix"));
free(r);

char *r = encrypt("faewfawefaewg");
assert(egca_str_eq(r, "jeiajeaijeiak"));
free(r);

char *r = encrypt("hellomyfriend");
assert(egca_str_eq(r, "lippsqcjvmirh"));
free(r);

char *r = encrypt("dxzdlmnilfuhmilufhlihufnmlimnufhlimnufhfucufh");
assert(egca_str_eq(r, "hbdhpqrmpjylqmpyjlpmlyjrqpmqryjlpmqryjljygyjl"));
free(r);

char *r = encrypt("a");
assert(egca_str_eq(r, "e"));
free(r);
