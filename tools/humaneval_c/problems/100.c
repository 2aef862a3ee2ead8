//@@ prompt
#include <stdlib.h>

/* Given a positive integer n, you have to make a pile of n levels of stones.
   The first level has n stones.
   The number of stones in the next level is:
   - the next odd number if n is odd.
   - the next even number if n is even.
   Return the number of stones in each level as a newly allocated array of n
   elements (the caller frees it), where element i is the number of stones in
   level (i+1).
   make_a_pile(3) gives {3, 5, 7} */
int *make_a_pile(int n) {
//@@ reference
    int *pile = malloc(sizeof(int) * n);
    int stones = n;
    for (int i = 0; i < n; i++) {
        pile[i] = stones;
        stones += 2;
    }
    return pile;
}
//@@ tests
int *r = make_a_pile(3);
assert(egca_int_array_eq(r, 3, (int[]){3, 5, 7}, 3));
free(r);

int *r = make_a_pile(4);
assert(egca_int_array_eq(r, 4, (int[]){4, 6, 8, 10}, 4));
free(r);

int *r = make_a_pile(5);
assert(egca_int_array_eq(r, 5, (int[]){5, 7, 9, 11, 13}, 5));
free(r);

int *r = make_a_pile(6);
assert(egca_int_array_eq(r, 6, (int[]){6, 8, 10, 12, 14, 16}, 6));
free(r);

int *r = make_a_pile(8);
assert(egca_int_array_eq(r, 8, (int[]){8, 10, 12, 14, 16, 18, 20, 22}, 8));
free(r);
