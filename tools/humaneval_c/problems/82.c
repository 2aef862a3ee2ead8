//@@ prompt
#include <stdbool.h>
#include <string.h>

/* Write a function that takes a string and returns true if the string length is
   a prime number or false otherwise.
   prime_length("Hello") == true
   prime_length("abcdcba") == true
   prime_length("kittens") == true
   prime_length("orange") == false */
bool prime_length(const char *str) {
//@@ reference
    int len = strlen(str);
    if (len < 2)
        return false;
    for (int i = 2; i * i <= len; i++) {
        if (len % i == 0)
            return false;
    }
    return true;
}
//@@ tests
assert(prime_length("Hello") == true);

assert(prime_length("abcdcba") == true);

assert(prime_length("kittens") == true);

assert(prime_length("orange") == false);

assert(prime_length("wow") == true);

assert(prime_length("world") == true);

assert(prime_length("MadaM") == true);

assert(prime_length("Wow") == true);

assert(prime_length("") == false);

assert(prime_length("HI") == true);

assert(prime_length("go") == true);

assert(prime_length("gogo") == false);

assert(prime_length("aaaaaaaaaaaaaaa") == false);

assert(prime_length("Madam") == true);

assert(prime_length("M") == false);

assert(prime_length("0") == false);
