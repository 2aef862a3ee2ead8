//@@ prompt
#include <stdlib.h>

/* Given an integer num, count its even and its odd digits and store the counts
   in *even and *odd.
   even_odd_count(-12, &e, &o) gives e == 1, o == 1
   even_odd_count(123, &e, &o) gives e == 1, o == 2 */
void even_odd_count(int num, int *even, int *odd) {
//@@ reference
    int even_count = 0;
    int odd_count = 0;
    num = abs(num);
    do {
        if ((num % 10) % 2 == 0)
            even_count++;
        else
            odd_count++;
        num = num / 10;
    } while (num > 0);
    *even = even_count;
    *odd = odd_count;
}
//@@ tests
int x = -1, y = -1;
even_odd_count(7, &x, &y);
assert(x == 0 && y == 1);

int x = -1, y = -1;
even_odd_count(-78, &x, &y);
assert(x == 1 && y == 1);

int x = -1, y = -1;
even_odd_count(3452, &x, &y);
assert(x == 2 && y == 2);

int x = -1, y = -1;
even_odd_count(346211, &x, &y);
assert(x == 3 && y == 3);

int x = -1, y = -1;
even_odd_count(-345821, &x, &y);
assert(x == 3 && y == 3);

int x = -1, y = -1;
even_odd_count(-2, &x, &y);
assert(x == 1 && y == 0);

int x = -1, y = -1;
even_odd_count(-45347, &x, &y);
assert(x == 2 && y == 3);

int x = -1, y = -1;
even_odd_count(0, &x, &y);
assert(x == 1 && y == 0);
//@@ wrong
    *even = 0;
    *odd = 0;
}
