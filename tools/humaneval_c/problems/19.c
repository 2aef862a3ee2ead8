//@@ prompt
#include <stdlib.h>
#include <string.h>

/* The input is a space-delimited string of numerals from "zero" to "nine".
   Valid choices are "zero", "one", "two", "three", "four", "five", "six",
   "seven", "eight" and "nine".
   Return a newly allocated string (the caller frees it) with the numbers sorted
   from smallest to largest.
   sort_numbers("three one five") gives "one three five" */
char *sort_numbers(const char *numbers) {
//@@ reference
    const char *names[10] = {"zero", "one", "two", "three", "four",
                             "five", "six", "seven", "eight", "nine"};
    int counts[10] = {0};
    int i = 0;
    while (numbers[i] != '\0') {
        if (numbers[i] == ' ') {
            i++;
            continue;
        }
        int len = 0;
        while (numbers[i + len] != ' ' && numbers[i + len] != '\0')
            len++;
        for (int d = 0; d < 10; d++) {
            if ((int)strlen(names[d]) == len && strncmp(numbers + i, names[d], len) == 0)
                counts[d]++;
        }
        i += len;
    }
    char *result = malloc(strlen(numbers) + 1);
    result[0] = '\0';
    for (int d = 0; d < 10; d++) {
        for (int k = 0; k < counts[d]; k++) {
            if (result[0] != '\0')
                strcat(result, " ");
            strcat(result, names[d]);
        }
    }
    return result;
}
//@@ tests
char *r = sort_numbers("");
assert(egca_str_eq(r, ""));
free(r);

char *r = sort_numbers("three");
assert(egca_str_eq(r, "three"));
free(r);

char *r = sort_numbers("three five nine");
assert(egca_str_eq(r, "three five nine"));
free(r);

char *r = sort_numbers("five zero four seven nine eight");
assert(egca_str_eq(r, "zero four five seven eight nine"));
free(r);

char *r = sort_numbers("six five four three two one zero");
assert(egca_str_eq(r, "zero one two three four five six"));
free(r);
