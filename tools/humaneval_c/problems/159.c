//@@ prompt
/* You're a hungry rabbit, and you already have eaten a certain number of
   carrots, but now you need to eat more carrots to complete the day's meals.
   Store in *total the total number of eaten carrots after your meals, and in
   *left the number of carrots left after your meals.
   If there are not enough remaining carrots, you will eat all remaining
   carrots, but will still be hungry.
   eat(5, 6, 10, &t, &l) gives t == 11, l == 4
   eat(4, 8, 9, &t, &l) gives t == 12, l == 1
   eat(1, 10, 10, &t, &l) gives t == 11, l == 0
   eat(2, 11, 5, &t, &l) gives t == 7, l == 0
   Variables: number (eaten so far), need (still to eat), remaining (in stock),
   all between 0 and 1000. */
void eat(int number, int need, int remaining, int *total, int *left) {
//@@ reference
    if (need <= remaining) {
        *total = number + need;
        *left = remaining - need;
    } else {
        *total = number + remaining;
        *left = 0;
    }
}
//@@ tests
int x = -1, y = -1;
eat(5, 6, 10, &x, &y);
assert(x == 11 && y == 4);

int x = -1, y = -1;
eat(4, 8, 9, &x, &y);
assert(x == 12 && y == 1);

int x = -1, y = -1;
eat(1, 10, 10, &x, &y);
assert(x == 11 && y == 0);

int x = -1, y = -1;
eat(2, 11, 5, &x, &y);
assert(x == 7 && y == 0);

int x = -1, y = -1;
eat(4, 5, 7, &x, &y);
assert(x == 9 && y == 2);

int x = -1, y = -1;
eat(4, 5, 1, &x, &y);
assert(x == 5 && y == 0);
//@@ wrong
    *total = 0;
    *left = 0;
}
