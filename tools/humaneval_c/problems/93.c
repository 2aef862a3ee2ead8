//@@ prompt
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Write a function that takes a message and encodes it in such a way that it
   swaps the case of all letters and replaces all vowels in the message with the
   letter that appears 2 places ahead of that vowel in the English alphabet.
   Assume only letters and spaces. Return a newly allocated string (the caller
   frees it).
   encode("test") gives "TGST"
   encode("This is a message") gives "tHKS KS C MGSSCGG" */
char *encode(const char *message) {
//@@ reference
    int len = strlen(message);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++) {
        char c = message[i];
        if (islower((unsigned char)c))
            c = toupper((unsigned char)c);
        else if (isupper((unsigned char)c))
            c = tolower((unsigned char)c);
        if (strchr("aeiouAEIOU", c) != NULL)
            c = c + 2;
        result[i] = c;
    }
    result[len] = '\0';
    return result;
}
//@@ tests
char *r = encode("TEST");
assert(egca_str_eq(r, "tgst"));
free(r);

char *r = encode("Mudasir");
assert(egca_str_eq(r, "mWDCSKR"));
free(r);

char *r = encode("YES");
assert(egca_str_eq(r, "ygs"));
free(r);

char *r = encode("This is a message");
assert(egca_str_eq(r, "tHKS KS C MGSSCGG"));
free(r);

char *r = encode("I DoNt KnOw WhAt tO WrItE");
assert(egca_str_eq(r, "k dQnT kNqW wHcT Tq wRkTg"));
free(r);
