/* util.h: strict number parsing, hashing, clocks and string distance: small helpers every module uses. */
#ifndef PB_CORE_UTIL_H
#define PB_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Parse all of `s` as a base-10 integer in [min, max]. Returns 0, or -1 without recording an error
 * (the caller knows what the number was for and says so).
 */
int pb_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Parse all of `s` as a finite double. Returns 0 or -1 (no error recorded). */
int pb_parse_double(const char *s, double *out);

/* 64-bit FNV-1a, for cache keys and content hashes (not cryptographic). */
uint64_t pb_hash64(const void *data, size_t len, uint64_t seed);
#define PB_HASH64_SEED 0xcbf29ce484222325ULL

/* The next number of a small seeded generator (xorshift64*: the same sequence everywhere, so that a
 * resumed run replays the orders it drew). *state must not be 0. */
uint64_t pb_rand_next(uint64_t *state);
/* Shuffle v[0..n-1] (Fisher-Yates with pb_rand_next): every order equally likely. */
void pb_shuffle(size_t *v, size_t n, uint64_t *state);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t pb_now_ns(void);

/* Edit distance (insert, delete, substitute, transpose), for "did you mean" suggestions. */
size_t pb_edit_distance(const char *a, const char *b);
/* The candidate closest to `word`, or NULL when none is within a plausible distance. */
const char *pb_closest(const char *word, const char *const *candidates, size_t n);

/* The noun for a count, for messages: `one` when n is 1, else `many` ("1 run", "2 runs", "0 runs"). */
const char *pb_plural(size_t n, const char *one, const char *many);

/* Format a duration for people: "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
void pb_format_duration(char *out, size_t size, double seconds);

/*
 * The path that reaches `to` from the directory of the file `from_file` ("hist/reports/r.md" from
 * "summary.md"; "../r.md" from "a/b.md"), as a link in from_file would name it. Both may be
 * relative to the cwd; existing directories are resolved (symlinks). Returns a string the caller
 * frees; never fails.
 */
char *pb_path_relative(const char *from_file, const char *to);

#endif
