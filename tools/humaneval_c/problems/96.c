//@@ prompt
#include <stdbool.h>
#include <stdlib.h>

/* Implement a function that takes a non-negative integer n and returns the
   prime numbers less than n, in increasing order, as a newly allocated array
   (the caller frees it); store their count in *out_n.
   count_up_to(5, &len) gives {2, 3}
   count_up_to(11, &len) gives {2, 3, 5, 7}
   count_up_to(0, &len) gives {}
   count_up_to(20, &len) gives {2, 3, 5, 7, 11, 13, 17, 19}
   count_up_to(1, &len) gives {}
   count_up_to(18, &len) gives {2, 3, 5, 7, 11, 13, 17} */
int *count_up_to(int n, int *out_n) {
//@@ reference
    int *primes = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 2; i < n; i++) {
        bool is_prime = true;
        for (int j = 0; j < count; j++) {
            if (i % primes[j] == 0) {
                is_prime = false;
                break;
            }
        }
        if (is_prime) {
            primes[count] = i;
            count++;
        }
    }
    *out_n = count;
    return primes;
}
//@@ tests
int len = -1;
int *r = count_up_to(5, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3}, 2));
free(r);

int len = -1;
int *r = count_up_to(6, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5}, 3));
free(r);

int len = -1;
int *r = count_up_to(7, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5}, 3));
free(r);

int len = -1;
int *r = count_up_to(10, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5, 7}, 4));
free(r);

int len = -1;
int *r = count_up_to(0, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = count_up_to(22, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5, 7, 11, 13, 17, 19}, 8));
free(r);

int len = -1;
int *r = count_up_to(1, &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = count_up_to(18, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5, 7, 11, 13, 17}, 7));
free(r);

int len = -1;
int *r = count_up_to(47, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43}, 14));
free(r);

int len = -1;
int *r = count_up_to(101, &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97}, 25));
free(r);
