//@@ prompt
#include <stdlib.h>

/* You will be given a number in decimal form (decimal >= 0) and your task is to
   convert it to binary format. The function should return a newly allocated
   string (the caller frees it), with each character representing a binary
   digit: each character in the string will be '0' or '1'.
   There will be an extra couple of characters "db" at the beginning and at the
   end of the string. The extra characters are there to help with the format.
   decimal_to_binary(15) gives "db1111db"
   decimal_to_binary(32) gives "db100000db" */
char *decimal_to_binary(int decimal) {
//@@ reference
    char bits[40];
    int count = 0;
    do {
        bits[count] = '0' + decimal % 2;
        count++;
        decimal = decimal / 2;
    } while (decimal > 0);
    char *result = malloc(count + 5);
    result[0] = 'd';
    result[1] = 'b';
    for (int i = 0; i < count; i++)
        result[2 + i] = bits[count - 1 - i];
    result[2 + count] = 'd';
    result[3 + count] = 'b';
    result[4 + count] = '\0';
    return result;
}
//@@ tests
char *r = decimal_to_binary(0);
assert(egca_str_eq(r, "db0db"));
free(r);

char *r = decimal_to_binary(32);
assert(egca_str_eq(r, "db100000db"));
free(r);

char *r = decimal_to_binary(103);
assert(egca_str_eq(r, "db1100111db"));
free(r);

char *r = decimal_to_binary(15);
assert(egca_str_eq(r, "db1111db"));
free(r);
