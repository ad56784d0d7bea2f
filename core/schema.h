/* schema.h: checking a result document against the keys its producer promises, by key path. */
#ifndef PB_CORE_SCHEMA_H
#define PB_CORE_SCHEMA_H

#include "core/json.h"

/* Types a key may have (or-ed). */
#define PB_S_NULL (1u << PB_JSON_NULL)
#define PB_S_BOOL (1u << PB_JSON_BOOL)
#define PB_S_NUM (1u << PB_JSON_NUMBER)
#define PB_S_STR (1u << PB_JSON_STRING)
#define PB_S_ARR (1u << PB_JSON_ARRAY)
#define PB_S_OBJ (1u << PB_JSON_OBJECT)
/* Flags: present whenever its parent is; a number >= 0; a string that is not empty. */
#define PB_S_REQ (1u << 8)
#define PB_S_NONNEG (1u << 9)
#define PB_S_NONEMPTY (1u << 10)
/* A whole number of at most 2^53 in magnitude (a count, an index, an address: safe to convert). */
#define PB_S_INT (1u << 11)

/*
 * One rule. `path` is a dotted key path where "name[]" stands for every element of the array
 * `name` and "*" for every member of an object: "steps[].commit", "runs[].counters.*". A rule
 * applies wherever its path's parent exists; a missing parent is the parent's rule to report.
 */
struct pb_schema_rule {
	const char *path;
	unsigned what; /* PB_S_* types | flags */
};

/* A document kind: its "schema" value and rules, ended by a rule with a NULL path. */
struct pb_schema {
	const char *name; /* "placebisect.bisect/1" */
	const struct pb_schema_rule *rules;
};

/*
 * Check `doc` (already parsed) against `s`: "schema" equal to s->name and every rule. The first
 * violation is the error, naming `file` and the key path: "r.json: culprit.commit: missing (every
 * placebisect.bisect/1 document has it)", "r.json: steps[2].runs: expected a number, got a string",
 * "a.json: runs[0].counters.cycles: -5 is negative (a count)". Returns 0 or -1 (PB_EXIT_USAGE).
 */
int pb_schema_check(const struct pb_json *doc, const struct pb_schema *s, const char *file);

/* The kind in `kinds` (n of them) whose name is doc's "schema", or NULL. */
const struct pb_schema *pb_schema_find(const struct pb_json *doc, const struct pb_schema *const *kinds,
				       size_t n);

#endif
