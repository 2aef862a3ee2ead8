//@@ prompt
/* Given a non-empty array of integers lst[0..n-1], add the even elements that
   are at odd indices.
   add((int[]){4, 2, 6, 7}, 4) == 2 */
int add(const int *lst, int n) {
//@@ reference
    int sum = 0;
    for (int i = 1; i < n; i += 2) {
        if (lst[i] % 2 == 0)
            sum += lst[i];
    }
    return sum;
}
//@@ tests
assert(add((int[]){4, 88}, 2) == 88);

assert(add((int[]){4, 5, 6, 7, 2, 122}, 6) == 122);

assert(add((int[]){4, 0, 6, 7}, 4) == 0);

assert(add((int[]){4, 4, 6, 8}, 4) == 12);
