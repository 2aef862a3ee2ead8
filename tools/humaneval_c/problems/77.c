//@@ prompt
#include <stdbool.h>

/* Write a function that takes an integer a and returns true if this integer is
   the cube of some integer number.
   iscube(1) == true
   iscube(2) == false
   iscube(-1) == true
   iscube(64) == true
   iscube(0) == true
   iscube(180) == false */
bool iscube(int a) {
//@@ reference
    if (a < 0)
        a = -a;
    for (int i = 0; i * i * i <= a; i++) {
        if (i * i * i == a)
            return true;
    }
    return false;
}
//@@ tests
assert(iscube(1) == true);

assert(iscube(2) == false);

assert(iscube(-1) == true);

assert(iscube(64) == true);

assert(iscube(180) == false);

assert(iscube(1000) == true);

assert(iscube(0) == true);

assert(iscube(1729) == false);
