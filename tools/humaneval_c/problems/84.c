//@@ prompt
#include <stdlib.h>

/* Given a positive integer N, return the total sum of its digits in binary, as
   a newly allocated string (the caller frees it).
   solve(1000) gives "1"    (the sum of digits is 1)
   solve(150) gives "110"   (the sum of digits is 6)
   solve(147) gives "1100"  (the sum of digits is 12)
   Constraints: 0 <= N <= 10000. */
char *solve(int N) {
//@@ reference
    int sum = 0;
    while (N > 0) {
        sum += N % 10;
        N = N / 10;
    }
    char bits[40];
    int count = 0;
    do {
        bits[count] = '0' + sum % 2;
        count++;
        sum = sum / 2;
    } while (sum > 0);
    char *result = malloc(count + 1);
    for (int i = 0; i < count; i++)
        result[i] = bits[count - 1 - i];
    result[count] = '\0';
    return result;
}
//@@ tests
char *r = solve(1000);
assert(egca_str_eq(r, "1"));
free(r);

char *r = solve(150);
assert(egca_str_eq(r, "110"));
free(r);

char *r = solve(147);
assert(egca_str_eq(r, "1100"));
free(r);

char *r = solve(333);
assert(egca_str_eq(r, "1001"));
free(r);

char *r = solve(963);
assert(egca_str_eq(r, "10010"));
free(r);
