//@@ prompt
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* For the given string, flip lowercase characters to uppercase and uppercase to
   lowercase. Return a newly allocated string (the caller frees it).
   flip_case("Hello") gives "hELLO" */
char *flip_case(const char *str) {
//@@ reference
    int len = strlen(str);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++) {
        char c = str[i];
        if (islower((unsigned char)c))
            result[i] = toupper((unsigned char)c);
        else if (isupper((unsigned char)c))
            result[i] = tolower((unsigned char)c);
        else
            result[i] = c;
    }
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = flip_case("");
assert(egca_str_eq(r, ""));
free(r);

char *r = flip_case("Hello!");
assert(egca_str_eq(r, "hELLO!"));
free(r);

char *r = flip_case("These violent delights have violent ends");
assert(egca_str_eq(r, "tHESE VIOLENT DELIGHTS HAVE VIOLENT ENDS"));
free(r);
