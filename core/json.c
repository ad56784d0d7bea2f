/* json.c: strict JSON reading on top of cJSON (the only file that includes it). */
#include "core/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#define MAX_DEPTH 256

/* A pb_json node is a cJSON node; the cast stays inside this file. */
#define CJ(v) ((cJSON *)(v))
#define PJ(v) ((struct pb_json *)(v))

static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
	size_t i, start = 0;

	*line = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = (unsigned)(off - start + 1);
}

static int err_at(const char *name, const char *text, size_t off, const char *what)
{
	unsigned line, col;

	line_col(text, off, &line, &col);
	return pb_error("%s:%u:%u: %s", name, line, col, what);
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

/*
 * What cJSON does not check: encoding, NUL bytes, nesting depth (before it recurses). *open gets
 * whether the text ends inside a string or an unclosed container (a truncated document).
 */
static int prescan(const char *text, size_t len, const char *name, bool *open)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	int depth = 0;
	int in_string = 0;

	while (i < len) {
		if (s[i] == 0)
			return err_at(name, text, i, "NUL byte in JSON text");
		n = utf8_len(s + i, len - i);
		if (!n)
			return err_at(name, text, i, "invalid UTF-8");
		if (in_string) {
			if (s[i] == '\\')
				n = i + 1 < len ? 2 : 1;
			else if (s[i] == '"')
				in_string = 0;
		} else if (s[i] == '"') {
			in_string = 1;
		} else if (s[i] == '{' || s[i] == '[') {
			if (++depth > MAX_DEPTH)
				return err_at(name, text, i, "nesting deeper than 256 levels");
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
		}
		i += n;
	}
	*open = in_string || depth > 0;
	return 0;
}

static void path_push(struct pb_buf *path, const cJSON *parent, const cJSON *child, size_t index)
{
	if (cJSON_IsObject(parent)) {
		if (path->len)
			pb_buf_putc(path, '.');
		pb_buf_puts(path, child->string);
	} else {
		pb_buf_printf(path, "[%zu]", index);
	}
}

/* After parsing: duplicate keys and non-finite numbers, reported by key path. */
static int check_tree(const cJSON *v, struct pb_buf *path, const char *name)
{
	const cJSON *c, *d;
	size_t keep = path->len, i = 0;

	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
		return pb_error("%s: %s: number out of range", name, path->len ? path->data : "(top)");
	for (c = v->child; c; c = c->next, i++) {
		if (cJSON_IsObject(v)) {
			for (d = v->child; d != c; d = d->next) {
				if (strcmp(d->string, c->string) == 0) {
					path_push(path, v, c, i);
					return pb_error("%s: %s: duplicate key", name, path->data);
				}
			}
		}
		path_push(path, v, c, i);
		if (check_tree(c, path, name))
			return -1;
		pb_buf_truncate(path, keep);
	}
	return 0;
}

int pb_json_parse(struct pb_json **out, const char *text, size_t len, const char *name)
{
	struct pb_buf copy = PB_BUF_INIT, path = PB_BUF_INIT;
	const char *end = NULL;
	cJSON *root;
	bool open = false;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (prescan(text, len, name, &open))
		return -1;
	for (i = 0; i < len && strchr(" \t\r\n", text[i]); i++)
		;
	if (i == len)
		return pb_error("%s: empty document: expected a JSON value", name);

	/* cJSON wants a NUL-terminated string; the prescan guarantees no NUL inside. */
	pb_buf_add(&copy, text, len);
	root = cJSON_ParseWithLengthOpts(copy.data, len, &end, 0);
	if (!root) {
		size_t off = end ? (size_t)(end - copy.data) : 0;

		if (open) {
			err_at(name, copy.data, len, "unexpected end of JSON text (truncated?)");
			goto out;
		}
		/* cJSON stops just past the offending token: point at the token itself. */
		if (off >= len || strchr(" \t\r\n", copy.data[off]))
			while (off > 0 && (off >= len || strchr(" \t\r\n", copy.data[off])))
				off--;
		err_at(name, copy.data, off, "invalid JSON syntax");
		goto out;
	}
	for (i = (size_t)(end - copy.data); i < len && strchr(" \t\r\n", copy.data[i]); i++)
		;
	if (i < len) {
		err_at(name, copy.data, i, "unexpected data after the JSON value");
		cJSON_Delete(root);
		goto out;
	}
	if (check_tree(root, &path, name)) {
		cJSON_Delete(root);
		goto out;
	}
	*out = PJ(root);
	ret = 0;
out:
	pb_buf_release(&copy);
	pb_buf_release(&path);
	return ret;
}

int pb_json_parse_file(struct pb_json **out, const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	int ret;

	*out = NULL;
	if (pb_buf_read_file(&b, path))
		return -1;
	ret = pb_json_parse(out, b.data, b.len, path);
	pb_buf_release(&b);
	return ret;
}

void pb_json_free(struct pb_json *root)
{
	cJSON_Delete(CJ(root));
}

enum pb_json_type pb_json_type(const struct pb_json *v)
{
	const cJSON *c = (const cJSON *)v;

	if (cJSON_IsBool(c))
		return PB_JSON_BOOL;
	if (cJSON_IsNumber(c))
		return PB_JSON_NUMBER;
	if (cJSON_IsString(c))
		return PB_JSON_STRING;
	if (cJSON_IsArray(c))
		return PB_JSON_ARRAY;
	if (cJSON_IsObject(c))
		return PB_JSON_OBJECT;
	return PB_JSON_NULL;
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
	if (!cJSON_IsObject((const cJSON *)v))
		return NULL;
	return PJ(cJSON_GetObjectItemCaseSensitive((const cJSON *)v, key));
}

struct pb_json *pb_json_child(const struct pb_json *v)
{
	return v ? PJ(((const cJSON *)v)->child) : NULL;
}

struct pb_json *pb_json_next(const struct pb_json *v)
{
	return v ? PJ(((const cJSON *)v)->next) : NULL;
}

const char *pb_json_key(const struct pb_json *v)
{
	return v ? ((const cJSON *)v)->string : NULL;
}

size_t pb_json_size(const struct pb_json *v)
{
	const cJSON *c;
	size_t n = 0;

	if (!v)
		return 0;
	for (c = ((const cJSON *)v)->child; c; c = c->next)
		n++;
	return n;
}

double pb_json_number(const struct pb_json *v, double fallback)
{
	return cJSON_IsNumber((const cJSON *)v) ? ((const cJSON *)v)->valuedouble : fallback;
}

const char *pb_json_string(const struct pb_json *v, const char *fallback)
{
	return cJSON_IsString((const cJSON *)v) ? ((const cJSON *)v)->valuestring : fallback;
}

bool pb_json_bool(const struct pb_json *v, bool fallback)
{
	return cJSON_IsBool((const cJSON *)v) ? cJSON_IsTrue((const cJSON *)v) : fallback;
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
