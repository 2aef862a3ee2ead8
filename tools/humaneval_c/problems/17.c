//@@ prompt
#include <stdlib.h>
#include <string.h>

/* The input is a string of musical notes in a special ASCII format, separated
   by single spaces. Return an array of integers saying how many beats each note
   lasts.
   Legend:
   "o" - whole note, lasts four beats
   "o|" - half note, lasts two beats
   ".|" - quarter note, lasts one beat
   Return a newly allocated array (the caller frees it) and store its length in
   *out_n.
   parse_music("o o| .| o| o| .| .| .| .| o o", &len) gives {4, 2, 1, 2, 2, 1, 1, 1, 1, 4, 4} */
int *parse_music(const char *music_string, int *out_n) {
//@@ reference
    int *result = malloc(sizeof(int) * (strlen(music_string) + 1));
    int count = 0;
    int i = 0;
    while (music_string[i] != '\0') {
        if (music_string[i] == 'o' && music_string[i + 1] == '|') {
            result[count] = 2;
            count++;
            i += 2;
        } else if (music_string[i] == 'o') {
            result[count] = 4;
            count++;
            i += 1;
        } else if (music_string[i] == '.' && music_string[i + 1] == '|') {
            result[count] = 1;
            count++;
            i += 2;
        } else {
            i += 1;
        }
    }
    *out_n = count;
    return result;
}
//@@ tests
int len = -1;
int *r = parse_music("", &len);
assert(egca_int_array_eq(r, len, NULL, 0));
free(r);

int len = -1;
int *r = parse_music("o o o o", &len);
assert(egca_int_array_eq(r, len, (int[]){4, 4, 4, 4}, 4));
free(r);

int len = -1;
int *r = parse_music(".| .| .| .|", &len);
assert(egca_int_array_eq(r, len, (int[]){1, 1, 1, 1}, 4));
free(r);

int len = -1;
int *r = parse_music("o| o| .| .| o o o o", &len);
assert(egca_int_array_eq(r, len, (int[]){2, 2, 1, 1, 4, 4, 4, 4}, 8));
free(r);

int len = -1;
int *r = parse_music("o| .| o| .| o o| o o|", &len);
assert(egca_int_array_eq(r, len, (int[]){2, 1, 2, 1, 4, 2, 4, 2}, 8));
free(r);
