//@@ prompt
#include <ctype.h>

/* You are given a string that represents a number of apples and oranges that
   are distributed in a basket of fruit; this basket contains apples, oranges,
   and mango fruits. Given the string that represents the total number of the
   oranges and apples and an integer that represents the total number of the
   fruits in the basket, return the number of the mango fruits in the basket.
   fruit_distribution("5 apples and 6 oranges", 19) == 19 - 5 - 6 == 8
   fruit_distribution("0 apples and 1 oranges", 3) == 3 - 0 - 1 == 2
   fruit_distribution("2 apples and 3 oranges", 100) == 100 - 2 - 3 == 95
   fruit_distribution("100 apples and 1 oranges", 120) == 120 - 100 - 1 == 19 */
int fruit_distribution(const char *s, int n) {
//@@ reference
    int total = 0;
    int i = 0;
    while (s[i] != '\0') {
        if (isdigit((unsigned char)s[i])) {
            int number = 0;
            while (isdigit((unsigned char)s[i])) {
                number = number * 10 + (s[i] - '0');
                i++;
            }
            total += number;
        } else {
            i++;
        }
    }
    return n - total;
}
//@@ tests
assert(fruit_distribution("5 apples and 6 oranges", 19) == 8);

assert(fruit_distribution("5 apples and 6 oranges", 21) == 10);

assert(fruit_distribution("0 apples and 1 oranges", 3) == 2);

assert(fruit_distribution("1 apples and 0 oranges", 3) == 2);

assert(fruit_distribution("2 apples and 3 oranges", 100) == 95);

assert(fruit_distribution("2 apples and 3 oranges", 5) == 0);

assert(fruit_distribution("1 apples and 100 oranges", 120) == 19);
