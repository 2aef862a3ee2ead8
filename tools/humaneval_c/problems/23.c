//@@ prompt
/* Return the length of the given string (without using strlen).
   string_length("") == 0
   string_length("abc") == 3 */
int string_length(const char *str) {
//@@ reference
    int length = 0;
    while (str[length] != '\0')
        length++;
    return length;
}
//@@ tests
assert(string_length("") == 0);

assert(string_length("x") == 1);

assert(string_length("asdasnakj") == 9);
