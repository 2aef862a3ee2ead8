//@@ prompt
/* Given a positive integer n, count the even and the odd integer palindromes
   that fall within the range [1, n] inclusive, and store the counts in *even
   and *odd. 1 <= n <= 1000.
   even_odd_palindrome(3, &e, &o) gives e == 1, o == 2   (1, 2, 3; 2 is even)
   even_odd_palindrome(12, &e, &o) gives e == 4, o == 6  (1..9 and 11) */
void even_odd_palindrome(int n, int *even, int *odd) {
//@@ reference
    int even_count = 0;
    int odd_count = 0;
    for (int i = 1; i <= n; i++) {
        int reversed = 0;
        int rest = i;
        while (rest > 0) {
            reversed = reversed * 10 + rest % 10;
            rest = rest / 10;
        }
        if (reversed == i) {
            if (i % 2 == 0)
                even_count++;
            else
                odd_count++;
        }
    }
    *even = even_count;
    *odd = odd_count;
}
//@@ tests
int x = -1, y = -1;
even_odd_palindrome(123, &x, &y);
assert(x == 8 && y == 13);

int x = -1, y = -1;
even_odd_palindrome(12, &x, &y);
assert(x == 4 && y == 6);

int x = -1, y = -1;
even_odd_palindrome(3, &x, &y);
assert(x == 1 && y == 2);

int x = -1, y = -1;
even_odd_palindrome(63, &x, &y);
assert(x == 6 && y == 8);

int x = -1, y = -1;
even_odd_palindrome(25, &x, &y);
assert(x == 5 && y == 6);

int x = -1, y = -1;
even_odd_palindrome(19, &x, &y);
assert(x == 4 && y == 6);

int x = -1, y = -1;
even_odd_palindrome(9, &x, &y);
assert(x == 4 && y == 5);

int x = -1, y = -1;
even_odd_palindrome(1, &x, &y);
assert(x == 0 && y == 1);
//@@ wrong
    *even = 0;
    *odd = 0;
}
