/* util.c: strict number parsing, FNV hashing, monotonic clock, edit distance, durations. */
#include "core/util.h"
#include "core/buf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int pb_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int pb_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

uint64_t pb_rand_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

void pb_shuffle(size_t *v, size_t n, uint64_t *state)
{
	size_t j, t, tmp;

	for (j = n; j > 1; j--) {
		t = (size_t)(pb_rand_next(state) >> 33) % j;
		tmp = v[j - 1];
		v[j - 1] = v[t];
		v[t] = tmp;
	}
}

uint64_t pb_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int64_t pb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

size_t pb_edit_distance(const char *a, const char *b)
{
	/* Damerau-Levenshtein (optimal string alignment) with three rolling rows. */
	size_t rows[3][65], *row0 = rows[0], *row1 = rows[1], *row2 = rows[2], *tmp;
	size_t la = strlen(a), lb = strlen(b), i, j, d;

	if (la > 64 || lb > 64)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row1[j] = j;
	for (i = 1; i <= la; i++) {
		row2[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d = row1[j] + 1;
			if (row2[j - 1] + 1 < d)
				d = row2[j - 1] + 1;
			if (row1[j - 1] + cost < d)
				d = row1[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    row0[j - 2] + 1 < d)
				d = row0[j - 2] + 1;
			row2[j] = d;
		}
		tmp = row0;
		row0 = row1;
		row1 = row2;
		row2 = tmp;
	}
	return row1[lb];
}

const char *pb_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

const char *pb_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t i, d, best_d = (size_t)-1, limit = strlen(word) / 3 + 1;

	if (limit > 3)
		limit = 3;
	for (i = 0; i < n; i++) {
		d = pb_edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* A prefix of a candidate ("meas") counts as close too. */
	for (i = 0; i < n && best_d > limit; i++) {
		if (strlen(word) >= 3 && strncmp(candidates[i], word, strlen(word)) == 0)
			return candidates[i];
	}
	return best_d <= limit ? best : NULL;
}

void pb_format_duration(char *out, size_t size, double s)
{
	if (s < 1)
		snprintf(out, size, "%.0f ms", s * 1e3);
	else if (s < 60)
		snprintf(out, size, "%.1f s", s);
	else if (s < 3600)
		snprintf(out, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(out, size, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* `path` made absolute against the cwd, its directory part resolved (symlinks, "..") when it exists. */
static char *absolute(const char *path)
{
	char *copy = pb_xstrdup(path), *slash, *real, *out;
	char cwd[4096];

	if (path[0] != '/') {
		free(copy);
		copy = pb_xasprintf("%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".", path);
	}
	slash = strrchr(copy, '/');
	*slash = '\0';
	real = realpath(copy[0] ? copy : "/", NULL);
	out = real ? pb_xasprintf("%s/%s", strcmp(real, "/") == 0 ? "" : real, slash + 1) :
		     pb_xasprintf("%s/%s", copy, slash + 1);
	free(real);
	free(copy);
	return out;
}

char *pb_path_relative(const char *from_file, const char *to)
{
	char *a = absolute(from_file), *b = absolute(to);
	struct pb_buf out = PB_BUF_INIT;
	size_t common = 0, i;

	/* The longest common prefix of whole directories. */
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i + 1;
	for (i = common; a[i]; i++)
		if (a[i] == '/')
			pb_buf_puts(&out, "../");
	pb_buf_puts(&out, b + common);
	free(a);
	free(b);
	return pb_buf_detach(&out);
}
