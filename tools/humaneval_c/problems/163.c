//@@ prompt
#include <stdlib.h>

/* Given two positive integers a and b, return the even digits between a and b
   (both inclusive, in either order), in ascending order, as a newly allocated
   array (the caller frees it); store its length in *out_n.
   generate_integers(2, 8, &len) gives {2, 4, 6, 8}
   generate_integers(8, 2, &len) gives {2, 4, 6, 8}
   generate_integers(10, 14, &len) gives {} */
int *generate_integers(int a, int b, int *out_n) {
//@@ reference
    int lower = a < b ? a : b;
    int upper = a < b ? b : a;
    if (lower < 2)
        lower = 2;
    if (upper > 8)
        upper = 8;
    int *result = malloc(sizeof(int) * 5);
    int count = 0;
    for (int i = lower; i <= upper; i++) {
        if (i % 2 == 0) {
            result[count] = i;
            count++;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = generate_integers(2, 10, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 4, 6, 8}, 4));
free(r);

int len = -1;
int *r = generate_integers(10, 2, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 4, 6, 8}, 4));
free(r);

int len = -1;
int *r = generate_integers(132, 2, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 4, 6, 8}, 4));
free(r);

int len = -1;
int *r = generate_integers(17, 89, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);
