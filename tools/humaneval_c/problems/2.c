//@@ prompt
/* Given a positive floating point number, it can be decomposed into an integer
   part (largest integer smaller than the given number) and decimals (leftover
   part always smaller than 1).
   Return the decimal part of the number.
   truncate_number(3.5) == 0.5 */
double truncate_number(double number) {
//@@ reference
    int whole = (int)number;
    return number - whole;
}
//@@ tests
assert(truncate_number(3.5) == 0.5);

assert(egca_double_close(truncate_number(1.33), 0.33));

assert(egca_double_close(truncate_number(123.456), 0.456));
