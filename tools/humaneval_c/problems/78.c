//@@ prompt
/* You have been tasked to write a function that receives a hexadecimal number
   as a string and counts the number of hexadecimal digits that are primes
   (a prime is a natural number greater than 1 that is not a product of two
   smaller natural numbers).
   Hexadecimal digits are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, A, B, C, D, E, F.
   So you have to count the following digits: 2, 3, 5, 7, B (= decimal 11),
   D (= decimal 13). The input is always correct or the empty string, and the
   symbols A, B, C, D, E, F are always uppercase.
   hex_key("AB") == 1
   hex_key("1077E") == 2
   hex_key("ABED1A33") == 4
   hex_key("123456789ABCDEF0") == 6
   hex_key("2020") == 2 */
int hex_key(const char *num) {
//@@ reference
    int count = 0;
    for (int i = 0; num[i] != '\0'; i++) {
        char c = num[i];
        if (c == '2' || c == '3' || c == '5' || c == '7' || c == 'B' || c == 'D')
            count++;
    }
    return count;
}
//@@ tests
assert(hex_key("AB") == 1);

assert(hex_key("1077E") == 2);

assert(hex_key("ABED1A33") == 4);

assert(hex_key("2020") == 2);

assert(hex_key("123456789ABCDEF0") == 6);

assert(hex_key("112233445566778899AABBCCDDEEFF00") == 12);

assert(hex_key("") == 0);
