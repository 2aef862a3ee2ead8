//@@ prompt
#include <stdlib.h>

/* The arrays game[0..n-1] and guess[0..n-1] hold the scores of n matches and a
   person's guesses. Return a newly allocated array of n elements (the caller
   frees it) denoting how far off each guess was: 0 if the guess was correct,
   otherwise the absolute difference between the guess and the score.
   compare((int[]){1, 2, 3, 4, 5, 1}, (int[]){1, 2, 3, 4, 2, -2}, 6) gives {0, 0, 0, 0, 3, 3}
   compare((int[]){0, 5, 0, 0, 0, 4}, (int[]){4, 1, 1, 0, 0, -2}, 6) gives {4, 4, 1, 0, 0, 6} */
int *compare(const int *game, const int *guess, int n) {
//@@ reference
    int *result = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++)
        result[i] = abs(game[i] - guess[i]);
    return result;
}
//@@ tests
int *r = compare((int[]){1, 2, 3, 4, 5, 1}, (int[]){1, 2, 3, 4, 2, -2}, 6);
assert(egca_int_array_eq(r, 6, (int[]){0, 0, 0, 0, 3, 3}, 6));
free(r);

int *r = compare((int[]){0, 0, 0, 0, 0, 0}, (int[]){0, 0, 0, 0, 0, 0}, 6);
assert(egca_int_array_eq(r, 6, (int[]){0, 0, 0, 0, 0, 0}, 6));
free(r);

int *r = compare((int[]){1, 2, 3}, (int[]){-1, -2, -3}, 3);
assert(egca_int_array_eq(r, 3, (int[]){2, 4, 6}, 3));
free(r);

int *r = compare((int[]){1, 2, 3, 5}, (int[]){-1, 2, 3, 4}, 4);
assert(egca_int_array_eq(r, 4, (int[]){2, 0, 0, 1}, 4));
free(r);
