//@@ prompt
#include <stdbool.h>

/* You'll be given a string of words, and your task is to count the number of
   boredoms. A boredom is a sentence that starts with the word "I".
   Sentences are delimited by '.', '?' or '!'.
   is_bored("Hello world") == 0
   is_bored("The sky is blue. The sun is shining. I love this weather") == 1 */
int is_bored(const char *S) {
//@@ reference
    int count = 0;
    bool sentence_start = true;
    for (int i = 0; S[i] != '\0'; i++) {
        char c = S[i];
        if (c == '.' || c == '?' || c == '!') {
            sentence_start = true;
        } else if (c != ' ') {
            if (sentence_start && c == 'I' && (S[i + 1] == ' ' || S[i + 1] == '\0'))
                count++;
            sentence_start = false;
        }
    }
    return count;
}
//@@ tests
assert(is_bored("Hello world") == 0);

assert(is_bored("Is the sky blue?") == 0);

assert(is_bored("I love It !") == 1);

assert(is_bored("bIt") == 0);

assert(is_bored("I feel good today. I will be productive. will kill It") == 2);

assert(is_bored("You and I are going for a walk") == 0);
