/* json.c: the strict JSON reader: one linear pass into a compact node array (no third-party parser). */
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define MAX_DEPTH 256
/* Node counts and sizes are 32-bit (29 bits for a container's size): far past any input we read. */
#define MAX_NODES ((size_t)1 << 29)

/*
 * A document is one array of nodes in document order (a container's members follow it) and the
 * text it was parsed from, with every string decoded in place (a decoded string is never longer
 * than its quoted form). 24 bytes a value: a 100 MB file of short strings fits in a few hundred MB.
 */
struct pb_json {
	const char *key;   /* an object member's key (in the text), else NULL */
	union {
		double num;
		const char *str; /* in the text, NUL-terminated */
	} u;
	uint32_t next;     /* distance to the next sibling, 0 = last */
	uint32_t meta;     /* type in the low 3 bits; size (members, elements) or the boolean above */
};

struct doc {
	char *text; /* owned; strings point into it */
	struct pb_json nodes[];
};

#define META(type, n) ((uint32_t)(type) | (uint32_t)(n) << 3)
#define TYPE(v) ((enum pb_json_type)((v)->meta & 7))

struct parser {
	char *s;
	size_t len, pos;
	size_t line, line_start; /* of pos: raw newlines only occur between tokens */
	const char *name;
	struct doc *doc;
	size_t n, cap;           /* nodes used and allocated */
};

static int err_at(struct parser *p, size_t off, const char *what)
{
	size_t line = p->line, start = p->line_start, i;

	/* `off` is at or after the last newline counted, except where the count ran ahead. */
	if (off < start) {
		line = 1;
		start = 0;
		for (i = 0; i < off; i++)
			if (p->s[i] == '\n') {
				line++;
				start = i + 1;
			}
	}
	return pb_error("%s:%zu:%zu: %s", p->name, line, off - start + 1, what);
}

static int truncated(struct parser *p)
{
	return err_at(p, p->len, "unexpected end of JSON text (truncated?)");
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

/* The error for an unexpected byte at pos: names NUL, control bytes and bad encoding exactly. */
static int unexpected(struct parser *p)
{
	unsigned char c = (unsigned char)p->s[p->pos];
	char msg[96];

	if (p->pos >= p->len)
		return truncated(p);
	if (c == 0)
		return err_at(p, p->pos, "NUL byte in JSON text");
	if (c >= 0x80 && !utf8_len((const unsigned char *)p->s + p->pos, p->len - p->pos))
		return err_at(p, p->pos, "invalid UTF-8");
	if (c < 0x20 || c == 0x7f) {
		snprintf(msg, sizeof(msg), "control byte 0x%02x outside a string", c);
		return err_at(p, p->pos, msg);
	}
	return err_at(p, p->pos, "invalid JSON syntax");
}

static int new_node(struct parser *p, enum pb_json_type t, const char *key, size_t *idx)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		if (p->n >= MAX_NODES)
			return err_at(p, p->pos, "more than 2^29 values in one document");
		p->doc = pb_xrealloc(p->doc, sizeof(struct doc) + cap * sizeof(struct pb_json));
		p->cap = cap;
	}
	*idx = p->n++;
	p->doc->nodes[*idx] = (struct pb_json){ key, { 0 }, 0, META(t, 0) };
	return 0;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at pos (on its '"'), decoded in place; *out points at it. */
static int parse_string(struct parser *p, const char **out)
{
	char *s = p->s;
	size_t r = p->pos + 1, w = r, n;
	unsigned cp, lo;
	char msg[128];

	for (;;) {
		unsigned char c;

		if (r >= p->len)
			return truncated(p);
		c = (unsigned char)s[r];
		if (c == '"')
			break;
		if (c == 0)
			return err_at(p, r, "NUL byte in JSON text");
		if (c < 0x20 || c == 0x7f) {
			snprintf(msg, sizeof(msg), "control byte 0x%02x inside a string (write it as \\u%04x)",
				 c, c);
			return err_at(p, r, msg);
		}
		if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s + r, p->len - r);
			if (!n)
				return err_at(p, r, "invalid UTF-8");
			memmove(s + w, s + r, n);
			w += n;
			r += n;
			continue;
		}
		if (c != '\\') {
			s[w++] = (char)c;
			r++;
			continue;
		}
		if (r + 1 >= p->len)
			return truncated(p);
		switch (s[r + 1]) {
		case '"': s[w++] = '"'; r += 2; continue;
		case '\\': s[w++] = '\\'; r += 2; continue;
		case '/': s[w++] = '/'; r += 2; continue;
		case 'b': s[w++] = '\b'; r += 2; continue;
		case 'f': s[w++] = '\f'; r += 2; continue;
		case 'n': s[w++] = '\n'; r += 2; continue;
		case 'r': s[w++] = '\r'; r += 2; continue;
		case 't': s[w++] = '\t'; r += 2; continue;
		case 'u': break;
		default: return err_at(p, r, "invalid escape in a string");
		}
		if (r + 6 > p->len)
			return truncated(p);
		if (hex4(s + r + 2, &cp))
			return err_at(p, r, "invalid \\u escape: expected four hex digits");
		if (cp == 0)
			return err_at(p, r, "\\u0000 in a string: a NUL character is not allowed "
					    "(it would cut the string short)");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return err_at(p, r, "invalid \\u escape: a low surrogate without a high one");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (r + 6 >= p->len || (s[r + 6] == '\\' && r + 12 > p->len))
				return truncated(p);
			if (s[r + 6] != '\\' || s[r + 7] != 'u' || hex4(s + r + 8, &lo) || lo < 0xdc00 ||
			    lo > 0xdfff)
				return err_at(p, r, "invalid \\u escape: a high surrogate without a low one");
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			r += 6;
		}
		r += 6;
		if (cp < 0x80) {
			s[w++] = (char)cp;
		} else if (cp < 0x800) {
			s[w++] = (char)(0xc0 | cp >> 6);
			s[w++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			s[w++] = (char)(0xe0 | cp >> 12);
			s[w++] = (char)(0x80 | (cp >> 6 & 0x3f));
			s[w++] = (char)(0x80 | (cp & 0x3f));
		} else {
			s[w++] = (char)(0xf0 | cp >> 18);
			s[w++] = (char)(0x80 | (cp >> 12 & 0x3f));
			s[w++] = (char)(0x80 | (cp >> 6 & 0x3f));
			s[w++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	s[w] = '\0'; /* w <= r: at most the closing quote is overwritten */
	*out = s + p->pos + 1;
	p->pos = r + 1;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number by the JSON grammar, converted with strtod on exactly its bytes. */
static int parse_number(struct parser *p, double *out)
{
	char *s = p->s;
	size_t i = p->pos;
	char save;

	if (s[i] == '-')
		i++;
	if (i >= p->len)
		return truncated(p);
	if (s[i] == '0') {
		i++;
	} else if (is_digit(s[i])) {
		while (i < p->len && is_digit(s[i]))
			i++;
	} else {
		p->pos = i;
		return unexpected(p);
	}
	if (i < p->len && s[i] == '.') {
		i++;
		if (i >= p->len)
			return truncated(p);
		if (!is_digit(s[i]))
			return err_at(p, i, "invalid JSON syntax");
		while (i < p->len && is_digit(s[i]))
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len)
			return truncated(p);
		if (!is_digit(s[i]))
			return err_at(p, i, "invalid JSON syntax");
		while (i < p->len && is_digit(s[i]))
			i++;
	}
	/* The text always has a byte (its NUL) past len: strtod stops at the grammar's end. */
	save = s[i];
	s[i] = '\0';
	*out = strtod(s + p->pos, NULL);
	s[i] = save;
	p->pos = i;
	return 0;
}

static int parse_value(struct parser *p, const char *key, int depth, size_t *idx);

/* An object or array at pos; its members become the nodes after it. */
static int parse_container(struct parser *p, const char *key, int depth, size_t *idx)
{
	bool obj = p->s[p->pos] == '{';
	char close = obj ? '}' : ']';
	size_t me, child, prev = 0, count = 0;
	const char *k = NULL;

	if (depth > MAX_DEPTH)
		return err_at(p, p->pos, "nesting deeper than 256 levels");
	if (new_node(p, obj ? PB_JSON_OBJECT : PB_JSON_ARRAY, key, &me))
		return -1;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		*idx = me;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return unexpected(p);
			if (parse_string(p, &k))
				return -1;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return unexpected(p);
			p->pos++;
		}
		if (parse_value(p, k, depth, &child))
			return -1;
		if (count++)
			p->doc->nodes[prev].next = (uint32_t)(child - prev);
		prev = child;
		skip_ws(p);
		if (p->pos >= p->len)
			return truncated(p);
		if (p->s[p->pos] == close)
			break;
		if (p->s[p->pos] != ',')
			return unexpected(p);
		p->pos++;
		skip_ws(p);
	}
	p->pos++;
	p->doc->nodes[me].meta = META(TYPE(&p->doc->nodes[me]), count);
	*idx = me;
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i < n; i++) {
		if (p->pos + i >= p->len)
			return truncated(p);
		if (p->s[p->pos + i] != word[i]) {
			p->pos += i;
			return i ? err_at(p, p->pos - i, "invalid JSON syntax") : unexpected(p);
		}
	}
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, const char *key, int depth, size_t *idx)
{
	const char *str;
	bool truth;
	double d = 0;

	skip_ws(p);
	if (p->pos >= p->len)
		return truncated(p);
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, key, depth + 1, idx);
	case '"':
		if (parse_string(p, &str) || new_node(p, PB_JSON_STRING, key, idx))
			return -1;
		p->doc->nodes[*idx].u.str = str;
		return 0;
	case 't':
	case 'f':
		truth = p->s[p->pos] == 't';
		if (literal(p, truth ? "true" : "false") || new_node(p, PB_JSON_BOOL, key, idx))
			return -1;
		p->doc->nodes[*idx].meta = META(PB_JSON_BOOL, truth);
		return 0;
	case 'n':
		return literal(p, "null") || new_node(p, PB_JSON_NULL, key, idx) ? -1 : 0;
	default:
		if (p->s[p->pos] != '-' && !is_digit(p->s[p->pos]))
			return unexpected(p);
		if (parse_number(p, &d) || new_node(p, PB_JSON_NUMBER, key, idx))
			return -1;
		p->doc->nodes[*idx].u.num = d;
		return 0;
	}
}

static void path_push(struct pb_buf *path, const struct pb_json *parent, const struct pb_json *child,
		      size_t index)
{
	if (TYPE(parent) == PB_JSON_OBJECT) {
		if (path->len)
			pb_buf_putc(path, '.');
		pb_buf_puts(path, child->key);
	} else {
		pb_buf_printf(path, "[%zu]", index);
	}
}

/* Open addressing over member ordinals: one table reused by every object, cleared per object. */
struct keyset {
	uint32_t *slot; /* member index + 1; 0 = empty */
	size_t cap;
};

static uint64_t key_hash(const char *s)
{
	return pb_hash64(s, strlen(s), PB_HASH64_SEED);
}

/* The first member of obj whose key an earlier member has, or NULL. Linear in the members. */
static const struct pb_json *duplicate(struct keyset *ks, const struct pb_json *obj)
{
	const struct pb_json *c, *d, *members[8];
	size_t n = obj->meta >> 3, want = 16, i, j, h;

	if (n <= PB_ARRAY_SIZE(members)) {
		for (c = pb_json_child(obj), i = 0; c; c = pb_json_next(c), i++) {
			for (j = 0; j < i; j++)
				if (strcmp(members[j]->key, c->key) == 0)
					return c;
			members[i] = c;
		}
		return NULL;
	}
	while (want < 2 * n)
		want *= 2;
	if (ks->cap < want) {
		free(ks->slot);
		ks->slot = pb_xmalloc(want * sizeof(*ks->slot));
		ks->cap = want;
	}
	memset(ks->slot, 0, want * sizeof(*ks->slot));
	for (c = pb_json_child(obj), i = 0; c; c = pb_json_next(c), i++) {
		for (h = key_hash(c->key) & (want - 1); ks->slot[h]; h = (h + 1) & (want - 1)) {
			d = obj + ks->slot[h];
			if (strcmp(d->key, c->key) == 0)
				return c;
		}
		ks->slot[h] = (uint32_t)(c - obj);
	}
	return NULL;
}

/* After parsing: duplicate keys and non-finite numbers, reported by key path. */
static int check_tree(const struct pb_json *v, struct pb_buf *path, struct keyset *ks,
		      const char *name)
{
	const struct pb_json *c, *dup;
	size_t keep = path->len, i = 0;

	if (TYPE(v) == PB_JSON_NUMBER && !isfinite(v->u.num))
		return pb_error("%s: %s: number out of range", name, path->len ? path->data : "(top)");
	if (TYPE(v) == PB_JSON_OBJECT && (dup = duplicate(ks, v))) {
		path_push(path, v, dup, 0);
		return pb_error("%s: %s: duplicate key", name, path->data);
	}
	if (TYPE(v) != PB_JSON_OBJECT && TYPE(v) != PB_JSON_ARRAY)
		return 0;
	for (c = pb_json_child(v); c; c = pb_json_next(c), i++) {
		path_push(path, v, c, i);
		if (check_tree(c, path, ks, name))
			return -1;
		pb_buf_truncate(path, keep);
	}
	return 0;
}

/* Parse text[0..len) which the parser owns (text[len] is a NUL) and decodes in place. */
static int parse_owned(struct pb_json **out, char *text, size_t len, const char *name)
{
	struct parser p = { text, len, 0, 1, 0, name, NULL, 0, 0 };
	struct pb_buf path = PB_BUF_INIT;
	struct keyset ks = { NULL, 0 };
	size_t root, i;
	int ret = -1;

	*out = NULL;
	for (i = 0; i < len && strchr(" \t\r\n", text[i]); i++)
		;
	if (i == len) {
		pb_error("%s: empty document: expected a JSON value", name);
		goto out;
	}
	if (parse_value(&p, NULL, 0, &root))
		goto out;
	skip_ws(&p);
	if (p.pos < len) {
		if (text[p.pos] == 0 || (unsigned char)text[p.pos] < 0x20)
			unexpected(&p);
		else
			err_at(&p, p.pos, "unexpected data after the JSON value");
		goto out;
	}
	if (check_tree(&p.doc->nodes[0], &path, &ks, name))
		goto out;
	/* Give back what the doubling over-allocated (the realloc of a large block does not copy). */
	p.doc = pb_xrealloc(p.doc, sizeof(struct doc) + p.n * sizeof(struct pb_json));
	p.doc->text = text;
	text = NULL;
	*out = &p.doc->nodes[0];
	p.doc = NULL;
	ret = 0;
out:
	free(p.doc);
	free(text);
	free(ks.slot);
	pb_buf_release(&path);
	return ret;
}

int pb_json_parse(struct pb_json **out, const char *text, size_t len, const char *name)
{
	char *copy = pb_xmalloc(len + 1);

	memcpy(copy, text, len);
	copy[len] = '\0';
	return parse_owned(out, copy, len, name);
}

int pb_json_parse_file(struct pb_json **out, const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t len;

	*out = NULL;
	if (pb_buf_read_file(&b, path))
		return -1;
	len = b.len;
	return parse_owned(out, pb_buf_detach(&b), len, path);
}

void pb_json_free(struct pb_json *root)
{
	struct doc *d;

	if (!root)
		return;
	d = (struct doc *)((char *)root - offsetof(struct doc, nodes));
	free(d->text);
	free(d);
}

char *pb_json_free_keep_text(struct pb_json *root)
{
	struct doc *d;
	char *text;

	if (!root)
		return NULL;
	d = (struct doc *)((char *)root - offsetof(struct doc, nodes));
	text = d->text;
	free(d);
	return text;
}

enum pb_json_type pb_json_type(const struct pb_json *v)
{
	return v ? TYPE(v) : PB_JSON_NULL;
}

const char *pb_json_type_name(enum pb_json_type t)
{
	static const char *const names[] = {
		[PB_JSON_NULL] = "null", [PB_JSON_BOOL] = "a boolean", [PB_JSON_NUMBER] = "a number",
		[PB_JSON_STRING] = "a string", [PB_JSON_ARRAY] = "an array", [PB_JSON_OBJECT] = "an object",
	};
	return names[t];
}

struct pb_json *pb_json_get(const struct pb_json *v, const char *key)
{
	const struct pb_json *c;

	if (!v || TYPE(v) != PB_JSON_OBJECT)
		return NULL;
	for (c = pb_json_child(v); c; c = pb_json_next(c))
		if (strcmp(c->key, key) == 0)
			return (struct pb_json *)c;
	return NULL;
}

struct pb_json *pb_json_child(const struct pb_json *v)
{
	if (!v || (TYPE(v) != PB_JSON_OBJECT && TYPE(v) != PB_JSON_ARRAY) || !(v->meta >> 3))
		return NULL;
	return (struct pb_json *)(v + 1);
}

struct pb_json *pb_json_next(const struct pb_json *v)
{
	return v && v->next ? (struct pb_json *)(v + v->next) : NULL;
}

const char *pb_json_key(const struct pb_json *v)
{
	return v ? v->key : NULL;
}

size_t pb_json_size(const struct pb_json *v)
{
	if (!v || (TYPE(v) != PB_JSON_OBJECT && TYPE(v) != PB_JSON_ARRAY))
		return 0;
	return v->meta >> 3;
}

double pb_json_number(const struct pb_json *v, double fallback)
{
	return v && TYPE(v) == PB_JSON_NUMBER ? v->u.num : fallback;
}

const char *pb_json_string(const struct pb_json *v, const char *fallback)
{
	return v && TYPE(v) == PB_JSON_STRING ? v->u.str : fallback;
}

bool pb_json_bool(const struct pb_json *v, bool fallback)
{
	return v && TYPE(v) == PB_JSON_BOOL ? (v->meta >> 3) != 0 : fallback;
}
struct pb_json *pb_json_path(const struct pb_json *v, const char *path)
{
	char key[256];
	const char *dot;
	size_t n;

	while (v && *path) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = pb_json_get(v, key);
		path += n + (dot != NULL);
	}
	return (struct pb_json *)v;
}
