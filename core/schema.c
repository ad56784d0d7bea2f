/* schema.c: the one validator of result documents: a table of key paths, types and flags per kind. */
#include "core/schema.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

struct walk {
	const struct pb_schema *s;
	const char *file;
	struct pb_buf path;
};

static const char *types_name(unsigned what)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array",
					     "an object" };
	static const char *const or_null[] = { "null", "a boolean or null", "a number or null",
					       "a string or null", "an array or null", "an object or null" };
	unsigned t;

	for (t = 0; t < 6; t++)
		if ((what & 0xff) == (1u << t))
			return names[t];
	/* Two types: the one that is not null, "or null" (the only pairs the tables use). */
	for (t = 1; t < 6; t++)
		if ((what & 0xff) == ((1u << t) | PB_S_NULL))
			return or_null[t];
	return "another type";
}

static int fail(struct walk *w, const char *what)
{
	return pb_error("%s: %s: %s", w->file, w->path.len ? w->path.data : "(top)", what);
}

/* The value at the end of a rule's path. */
static int leaf(struct walk *w, const struct pb_json *v, unsigned what)
{
	enum pb_json_type t = pb_json_type(v);
	char msg[160];

	if (!(what & (1u << t))) {
		snprintf(msg, sizeof(msg), "expected %s, got %s", types_name(what), pb_json_type_name(t));
		return fail(w, msg);
	}
	if ((what & PB_S_NONNEG) && t == PB_JSON_NUMBER && pb_json_number(v, 0) < 0) {
		snprintf(msg, sizeof(msg), "%g is negative (a count or a size: never below 0)",
			 pb_json_number(v, 0));
		return fail(w, msg);
	}
	if ((what & PB_S_INT) && t == PB_JSON_NUMBER &&
	    (fabs(pb_json_number(v, 0)) > 9007199254740992.0 ||
	     pb_json_number(v, 0) != floor(pb_json_number(v, 0)))) {
		snprintf(msg, sizeof(msg), "expected a whole number up to 2^53, got %g", pb_json_number(v, 0));
		return fail(w, msg);
	}
	if ((what & PB_S_NONEMPTY) && t == PB_JSON_STRING && !*pb_json_string(v, ""))
		return fail(w, "an empty string");
	return 0;
}

static void push_key(struct pb_buf *p, const char *k, size_t n)
{
	if (p->len)
		pb_buf_putc(p, '.');
	pb_buf_add(p, k, n);
}

/* Apply the rest of a path (`rest`, from v) to every value it reaches. */
static int walk(struct walk *w, const struct pb_json *v, const char *rest, unsigned what)
{
	const char *dot = strchr(rest, '.');
	size_t n = dot ? (size_t)(dot - rest) : strlen(rest), keep = w->path.len, i;
	bool each = n > 2 && rest[n - 2] == '[' && rest[n - 1] == ']';
	const struct pb_json *c, *m;
	char key[64], msg[128];

	if (pb_json_type(v) != PB_JSON_OBJECT)
		return 0; /* the parent's rule reports its type */
	if (n == 1 && rest[0] == '*') {
		for (c = pb_json_child(v); c; c = pb_json_next(c)) {
			push_key(&w->path, pb_json_key(c), strlen(pb_json_key(c)));
			if (dot ? walk(w, c, dot + 1, what) : leaf(w, c, what))
				return -1;
			pb_buf_truncate(&w->path, keep);
		}
		return 0;
	}
	if (each)
		n -= 2;
	if (n >= sizeof(key))
		return 0;
	memcpy(key, rest, n);
	key[n] = '\0';
	push_key(&w->path, key, n);
	m = pb_json_get(v, key);
	if (!m) {
		if (!dot && !each && (what & PB_S_REQ)) {
			snprintf(msg, sizeof(msg), "missing (every %s document has it)", w->s->name);
			return fail(w, msg);
		}
		pb_buf_truncate(&w->path, keep);
		return 0;
	}
	if (each && pb_json_type(m) == PB_JSON_NULL) {
		/* Whether the array may be null is its own rule's to say ("ci95" of an exact metric). */
		pb_buf_truncate(&w->path, keep);
		return 0;
	}
	if (each) {
		if (pb_json_type(m) != PB_JSON_ARRAY) {
			snprintf(msg, sizeof(msg), "expected an array, got %s", pb_json_type_name(pb_json_type(m)));
			return fail(w, msg);
		}
		for (c = pb_json_child(m), i = 0; c; c = pb_json_next(c), i++) {
			pb_buf_printf(&w->path, "[%zu]", i);
			if (dot && pb_json_type(c) != PB_JSON_OBJECT) {
				snprintf(msg, sizeof(msg), "expected an object, got %s",
					 pb_json_type_name(pb_json_type(c)));
				return fail(w, msg);
			}
			if (dot ? walk(w, c, dot + 1, what) : leaf(w, c, what))
				return -1;
			pb_buf_truncate(&w->path, keep + (keep ? 1 : 0) + n);
		}
	} else if (dot ? walk(w, m, dot + 1, what) : leaf(w, m, what)) {
		return -1;
	}
	pb_buf_truncate(&w->path, keep);
	return 0;
}

int pb_schema_check(const struct pb_json *doc, const struct pb_schema *s, const char *file)
{
	struct walk w = { s, file, PB_BUF_INIT };
	const struct pb_schema_rule *r;
	const char *name = pb_json_string(pb_json_get(doc, "schema"), NULL);
	int ret = 0;

	if (pb_json_type(doc) != PB_JSON_OBJECT)
		return pb_error("%s: expected a JSON object (a %s document)", file, s->name);
	if (!name || strcmp(name, s->name) != 0)
		return pb_error("%s: schema: expected \"%s\", got %s%s%s", file, s->name, name ? "\"" : "",
				name ? name : "none", name ? "\"" : "");
	for (r = s->rules; r->path && ret == 0; r++)
		ret = walk(&w, doc, r->path, r->what);
	pb_buf_release(&w.path);
	return ret;
}

const struct pb_schema *pb_schema_find(const struct pb_json *doc, const struct pb_schema *const *kinds,
				       size_t n)
{
	const char *name = pb_json_string(pb_json_get(doc, "schema"), NULL);
	size_t i;

	for (i = 0; name && i < n; i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}
