//@@ prompt
/* Add two numbers x and y.
   add(2, 3) == 5
   add(5, 7) == 12 */
int add(int x, int y) {
//@@ reference
    return x + y;
}
//@@ tests
assert(add(0, 1) == 1);

assert(add(1, 0) == 1);

assert(add(2, 3) == 5);

assert(add(5, 7) == 12);

assert(add(7, 5) == 12);

for (int x = 0; x <= 1000; x += 37) {
    for (int y = 1000; y >= 0; y -= 53)
        assert(add(x, y) == x + y);
}
