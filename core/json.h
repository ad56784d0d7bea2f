/* json.h: reading JSON documents (strict, with line:column errors) and writing them (streaming). */
#ifndef PB_CORE_JSON_H
#define PB_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* ---- Reading. A parsed document is a tree of opaque nodes owned by its root. ---- */

struct pb_json;

enum pb_json_type {
	PB_JSON_NULL,
	PB_JSON_BOOL,
	PB_JSON_NUMBER,
	PB_JSON_STRING,
	PB_JSON_ARRAY,
	PB_JSON_OBJECT,
};

/*
 * Parse `len` bytes of `text` as one JSON document. Strict: invalid UTF-8, trailing garbage,
 * duplicate object keys, numbers that overflow a double (1e999), NaN/Infinity and nesting deeper
 * than 256 are errors. `name` (a file path) starts the message, with line and column:
 * "placebisect.json:3:14: expected ',' or '}'". On success *out is the root (free with
 * pb_json_free). Returns 0 or -1 (class PB_EXIT_USAGE).
 */
int pb_json_parse(struct pb_json **out, const char *text, size_t len, const char *name);

/* Read and parse a file; errors name the file. */
int pb_json_parse_file(struct pb_json **out, const char *path);

/* Free a document returned by pb_json_parse*(). Accepts NULL. */
void pb_json_free(struct pb_json *root);

/*
 * Free the nodes of a document but keep its text: every string and key the document handed out
 * (pb_json_string, pb_json_key) lives in that text, decoded and NUL-terminated, and stays valid in
 * the returned block until the caller frees it with free(). A reader that keeps many strings of a
 * big document (100k names) keeps them as slices instead of copies. NULL for a NULL root.
 */
char *pb_json_free_keep_text(struct pb_json *root);

enum pb_json_type pb_json_type(const struct pb_json *v);
const char *pb_json_type_name(enum pb_json_type t); /* "a number", "an object", ... */
/* Member `key` of an object; NULL when v is NULL, not an object, or has no such key. */
struct pb_json *pb_json_get(const struct pb_json *v, const char *key);
/* First child of an array or object (NULL when empty), and the next sibling. */
struct pb_json *pb_json_child(const struct pb_json *v);
struct pb_json *pb_json_next(const struct pb_json *v);
/* The key of an object member. */
const char *pb_json_key(const struct pb_json *v);
size_t pb_json_size(const struct pb_json *v); /* elements of an array or members of an object */
/* Values; each returns the fallback when v is NULL or of another type. */
double pb_json_number(const struct pb_json *v, double fallback);
const char *pb_json_string(const struct pb_json *v, const char *fallback);
bool pb_json_bool(const struct pb_json *v, bool fallback);
/* Walk a dotted path of object keys ("summary.median"); NULL when any step is missing. */
struct pb_json *pb_json_path(const struct pb_json *v, const char *path);

/* ---- Writing. A streaming writer that pretty-prints into a pb_buf. ---- */

#define PB_JSONW_MAX_DEPTH 64

struct pb_jsonw {
	struct pb_buf *out;
	int depth;
	bool first[PB_JSONW_MAX_DEPTH]; /* no member written yet at this depth */
	char closer[PB_JSONW_MAX_DEPTH]; /* '}' or ']' for the container open at this depth */
	bool compact;                   /* one line, no indentation */
	/* Optional: where pb_jsonw_drain() hands the text written so far (see pb_jsonw_set_sink). */
	void (*sink)(void *ctx, const char *data, size_t len);
	void *sink_ctx;
};

/* Text kept in the buffer before pb_jsonw_drain() hands it to the sink. */
#define PB_JSONW_DRAIN_AT (1u << 20)

/* Start writing into `out` (appending). */
void pb_jsonw_init(struct pb_jsonw *w, struct pb_buf *out, bool compact);
/*
 * Each value takes a key when written inside an object and NULL inside an array or at the top.
 * Non-finite numbers are written as null (JSON has no NaN); integers print without exponent.
 */
void pb_jsonw_object(struct pb_jsonw *w, const char *key);
void pb_jsonw_array(struct pb_jsonw *w, const char *key);
void pb_jsonw_end(struct pb_jsonw *w); /* closes the innermost object or array */
void pb_jsonw_string(struct pb_jsonw *w, const char *key, const char *s); /* NULL writes null */
void pb_jsonw_number(struct pb_jsonw *w, const char *key, double v);
void pb_jsonw_int(struct pb_jsonw *w, const char *key, int64_t v);
void pb_jsonw_bool(struct pb_jsonw *w, const char *key, bool v);
void pb_jsonw_null(struct pb_jsonw *w, const char *key);
/* Write a parsed value (and everything under it) as a member or element. */
void pb_jsonw_value(struct pb_jsonw *w, const char *key, const struct pb_json *v);
/* Finish the document (adds the final newline when not compact); drains everything to a sink. */
void pb_jsonw_finish(struct pb_jsonw *w);

/*
 * Stream the document: from now on pb_jsonw_drain() and pb_jsonw_finish() pass the text written so
 * far to sink(ctx, data, len) and empty the buffer, so a big document (a layout of 100k functions)
 * never sits whole in memory. The sink cannot fail the writer; it records its own errors.
 */
void pb_jsonw_set_sink(struct pb_jsonw *w, void (*sink)(void *ctx, const char *data, size_t len),
		       void *ctx);
/* With a sink, hand it the buffered text once there is at least PB_JSONW_DRAIN_AT of it. */
void pb_jsonw_drain(struct pb_jsonw *w);

/* Append `s` to `out` as a quoted, escaped JSON string. */
void pb_json_quote(struct pb_buf *out, const char *s);

#endif
