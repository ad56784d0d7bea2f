/* format.h: numbers for people: thousands separators in a printed number. */
#ifndef PB_RENDER_FORMAT_H
#define PB_RENDER_FORMAT_H

#include <stddef.h>

/*
 * Copy the printed number `number` ("-1234567.25", as printf wrote it) to `out` (size bytes, always
 * NUL-terminated) with a ',' between each group of three digits of its integer part:
 * "-1,234,567.25". A number in exponent form ("1.5e+06") or with at most three characters before
 * its point is copied unchanged. Output that does not fit is cut at a character boundary.
 */
void pb_fmt_group_digits(char *out, size_t size, const char *number);

#endif
