//@@ prompt
#include <stdbool.h>

/* brackets is a string of '<' and '>'.
   Return true if every opening bracket has a corresponding closing bracket.
   correct_bracketing("<") == false
   correct_bracketing("<>") == true
   correct_bracketing("<<><>>") == true
   correct_bracketing("><<>") == false */
bool correct_bracketing(const char *brackets) {
//@@ reference
    int depth = 0;
    for (int i = 0; brackets[i] != '\0'; i++) {
        if (brackets[i] == '<')
            depth++;
        else
            depth--;
        if (depth < 0)
            return false;
    }
    return depth == 0;
}
//@@ tests
assert(correct_bracketing("<>"));

assert(correct_bracketing("<<><>>"));

assert(correct_bracketing("<><><<><>><>"));

assert(correct_bracketing("<><><<<><><>><>><<><><<>>>"));

assert(!correct_bracketing("<<<><>>>>"));

assert(!correct_bracketing("><<>"));

assert(!correct_bracketing("<"));

assert(!correct_bracketing("<<<<"));

assert(!correct_bracketing(">"));

assert(!correct_bracketing("<<>"));

assert(!correct_bracketing("<><><<><>><>><<>"));

assert(!correct_bracketing("<><><<><>><>>><>"));
