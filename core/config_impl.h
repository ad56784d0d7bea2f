/* config_impl.h: private to core/config*.c: the schema table's shape and what config.c and config_check.c share. */
#ifndef PB_CORE_CONFIG_IMPL_H
#define PB_CORE_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"

enum ftype {
	F_STRING,  /* char * */
	F_INT,     /* int64_t, whole number in [min, max] */
	F_NUMBER,  /* double in [min, max] (min_open: strictly above min) */
	F_ENUM,    /* char *, one of choices */
	F_LIST,    /* char **, array of strings, NULL-terminated */
	F_ENV,     /* char **, object of strings, stored as "K=V" */
	F_OBJECT,  /* nested object over the same base struct: sub */
	F_VARIANTS, /* build.layout_variants: NAME -> object of strings (environment) */
};

struct field {
	const char *key;
	enum ftype type;
	size_t off;
	double min, max;
	bool min_open;
	const char *const *choices;
	const struct field *sub;
	const char *help; /* what the expected value is, for messages */
};

#define AT(base, f, T) ((T *)((char *)(base) + (f)->off))

/* The schema's roots (config.c): the top-level keys, and one benchmark's. */
extern const struct field *const pb_config_top_fields;
extern const struct field *const pb_config_bench_fields;

/*
 * The strings of the lists (F_LIST, F_ENV) are not allocated one by one: a list is one array of
 * pointers into the config's store, which holds the text of each file loaded (a name read from
 * it is a slice of it, decoded in place by the JSON reader) and blocks of copied strings. 100k
 * names cost their bytes in the file plus 8 bytes of pointer each, with no per-string malloc.
 */
/* A list's array; its strings belong to the config's store (or are static). */
static inline char **list_new(void)
{
	return pb_xcalloc(1, sizeof(char *));
}

static inline void list_free(char **l)
{
	free(l);
}

/* Benchmark `name` with the defaults (10 runs, 1 warm-up, 60 s, metric wall), nothing else set. */
void pb_config_bench_init(struct pb_bench *b, const char *name);

/*
 * Read the document `root` (from file `name`, for messages) into cfg against the schema and check
 * it (config_check.c): unknown keys (with a suggestion), types, ranges, placeholders, regexes,
 * geometries, metrics, CPUs; errors name the key path. text_kept: the caller hands root's text to
 * cfg's store (strings are kept as slices of it); else they are copied into it. Returns 0 or -1.
 */
int pb_config_read(struct pb_config *cfg, const struct pb_json *root, const char *name, bool text_kept);

#endif
