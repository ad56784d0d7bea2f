/* format.c: thousands separators shared by perf-stat-like text (measure/) and markdown (report/). */
#include "render/format.h"

#include <stdio.h>
#include <string.h>

void pb_fmt_group_digits(char *out, size_t size, const char *number)
{
	const char *dot = strchr(number, '.');
	size_t len = dot ? (size_t)(dot - number) : strlen(number), i, o = 0;
	size_t lead = number[0] == '-' ? 1 : 0;

	if (size == 0)
		return;
	if (strpbrk(number, "eE") || len <= 3) {
		snprintf(out, size, "%s", number);
		return;
	}
	for (i = 0; number[i] && o + 2 < size; i++) {
		if (i > lead && i < len && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = number[i];
	}
	out[o] = '\0';
}
