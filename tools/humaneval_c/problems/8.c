//@@ prompt
/* For a given array of integers (numbers[0..n-1]), compute the sum and the
   product of all the integers and store them in *sum and *product.
   An empty sum is 0 and an empty product is 1.
   sum_product(NULL, 0, &s, &p) gives s == 0, p == 1
   sum_product((int[]){1, 2, 3, 4}, 4, &s, &p) gives s == 10, p == 24 */
void sum_product(const int *numbers, int n, int *sum, int *product) {
//@@ reference
    int s = 0;
    int p = 1;
    for (int i = 0; i < n; i++) {
        s += numbers[i];
        p *= numbers[i];
    }
    *sum = s;
    *product = p;
}
//@@ tests
int s = -1, p = -1;
sum_product(NULL, 0, &s, &p);
assert(s == 0 && p == 1);

int s = -1, p = -1;
sum_product((int[]){1, 1, 1}, 3, &s, &p);
assert(s == 3 && p == 1);

int s = -1, p = -1;
sum_product((int[]){100, 0}, 2, &s, &p);
assert(s == 100 && p == 0);

int s = -1, p = -1;
sum_product((int[]){3, 5, 7}, 3, &s, &p);
assert(s == 3 + 5 + 7 && p == 3 * 5 * 7);

int s = -1, p = -1;
sum_product((int[]){10}, 1, &s, &p);
assert(s == 10 && p == 10);
//@@ wrong
    *sum = 0;
    *product = 0;
}
