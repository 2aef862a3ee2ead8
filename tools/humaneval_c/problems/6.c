//@@ prompt
#include <stdlib.h>
#include <string.h>

/* The input is a string of groups of nested parentheses separated by spaces.
   For each group, output the deepest level of nesting of parentheses.
   E.g. (()()) has at most two levels of nesting while ((())) has three.
   Return a newly allocated array (the caller frees it) with one entry per group,
   and store its length in *out_n.
   parse_nested_parens("(()()) ((())) () ((())()())", &len) gives {2, 3, 1, 3} */
int *parse_nested_parens(const char *paren_string, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (strlen(paren_string) + 1));
    int count = 0;
    int depth = 0;
    int max_depth = 0;
    for (int i = 0; paren_string[i] != '\0'; i++) {
        char c = paren_string[i];
        if (c == '(') {
            depth++;
            if (depth > max_depth)
                max_depth = depth;
        } else if (c == ')') {
            depth--;
        }
        if (paren_string[i + 1] == ' ' || paren_string[i + 1] == '\0') {
            if (max_depth > 0) {
                result[count] = max_depth;
                count++;
            }
            depth = 0;
            max_depth = 0;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = parse_nested_parens("(()()) ((())) () ((())()())", &len);
assert(egca_int_array_eq(r, len, (int[]){2, 3, 1, 3}, 4));
free(r);

int len = -1;
int *r = parse_nested_parens("() (()) ((())) (((())))", &len);
assert(egca_int_array_eq(r, len, (int[]){1, 2, 3, 4}, 4));
free(r);

int len = -1;
int *r = parse_nested_parens("(()(())((())))", &len);
assert(egca_int_array_eq(r, len, (int[]){4}, 1));
free(r);
