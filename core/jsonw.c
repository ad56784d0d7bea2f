/* jsonw.c: the streaming JSON writer every result file is written with. */
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void pb_json_quote(struct pb_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;

	pb_buf_putc(out, '"');
	while (*p) {
		/* Plain bytes go in one append: escaping is the exception. */
		for (run = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		pb_buf_add(out, run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"': pb_buf_puts(out, "\\\""); break;
		case '\\': pb_buf_puts(out, "\\\\"); break;
		case '\n': pb_buf_puts(out, "\\n"); break;
		case '\r': pb_buf_puts(out, "\\r"); break;
		case '\t': pb_buf_puts(out, "\\t"); break;
		default: pb_buf_printf(out, "\\u%04x", *p);
		}
		p++;
	}
	pb_buf_putc(out, '"');
}

void pb_jsonw_init(struct pb_jsonw *w, struct pb_buf *out, bool compact)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = true;
	w->compact = compact;
	w->sink = NULL;
	w->sink_ctx = NULL;
}

void pb_jsonw_set_sink(struct pb_jsonw *w, void (*sink)(void *ctx, const char *data, size_t len),
		       void *ctx)
{
	w->sink = sink;
	w->sink_ctx = ctx;
}

static void drain(struct pb_jsonw *w)
{
	if (!w->sink || !w->out->len)
		return;
	w->sink(w->sink_ctx, w->out->data, w->out->len);
	pb_buf_reset(w->out);
}

void pb_jsonw_drain(struct pb_jsonw *w)
{
	if (w->out->len >= PB_JSONW_DRAIN_AT)
		drain(w);
}

static void indent(struct pb_jsonw *w)
{
	int i;

	if (w->compact)
		return;
	pb_buf_putc(w->out, '\n');
	for (i = 0; i < w->depth; i++)
		pb_buf_puts(w->out, "  ");
}

/* Separator, indentation and key before a value. */
static void begin_value(struct pb_jsonw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			pb_buf_putc(w->out, ',');
		indent(w);
	}
	w->first[w->depth] = false;
	if (key) {
		pb_json_quote(w->out, key);
		pb_buf_puts(w->out, w->compact ? ":" : ": ");
	}
}

static void open_container(struct pb_jsonw *w, const char *key, char c)
{
	begin_value(w, key);
	pb_buf_putc(w->out, c);
	/* Deeper documents are a programming error; they stay valid JSON, only flatter indentation. */
	if (w->depth + 1 < PB_JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void pb_jsonw_object(struct pb_jsonw *w, const char *key)
{
	open_container(w, key, '{');
}

void pb_jsonw_array(struct pb_jsonw *w, const char *key)
{
	open_container(w, key, '[');
}

void pb_jsonw_end(struct pb_jsonw *w)
{
	bool empty = w->first[w->depth];
	char close = w->closer[w->depth];

	if (w->depth == 0)
		return; /* unbalanced: nothing open */
	w->depth--;
	if (!empty)
		indent(w);
	pb_buf_putc(w->out, close);
}

void pb_jsonw_string(struct pb_jsonw *w, const char *key, const char *s)
{
	if (!s) {
		pb_jsonw_null(w, key);
		return;
	}
	begin_value(w, key);
	pb_json_quote(w->out, s);
}

void pb_jsonw_number(struct pb_jsonw *w, const char *key, double v)
{
	char tmp[40];
	int prec;

	if (!isfinite(v)) {
		pb_jsonw_null(w, key);
		return;
	}
	begin_value(w, key);
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		pb_buf_printf(w->out, "%.0f", v);
		return;
	}
	/* The shortest precision that reads back as the same double. */
	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
	pb_buf_puts(w->out, tmp);
}

void pb_jsonw_int(struct pb_jsonw *w, const char *key, int64_t v)
{
	begin_value(w, key);
	pb_buf_printf(w->out, "%lld", (long long)v);
}

void pb_jsonw_bool(struct pb_jsonw *w, const char *key, bool v)
{
	begin_value(w, key);
	pb_buf_puts(w->out, v ? "true" : "false");
}

void pb_jsonw_null(struct pb_jsonw *w, const char *key)
{
	begin_value(w, key);
	pb_buf_puts(w->out, "null");
}

void pb_jsonw_value(struct pb_jsonw *w, const char *key, const struct pb_json *v)
{
	const struct pb_json *c;

	switch (pb_json_type(v)) {
	case PB_JSON_NULL: pb_jsonw_null(w, key); break;
	case PB_JSON_BOOL: pb_jsonw_bool(w, key, pb_json_bool(v, false)); break;
	case PB_JSON_NUMBER: pb_jsonw_number(w, key, pb_json_number(v, 0)); break;
	case PB_JSON_STRING: pb_jsonw_string(w, key, pb_json_string(v, "")); break;
	case PB_JSON_ARRAY:
	case PB_JSON_OBJECT: {
		bool obj = pb_json_type(v) == PB_JSON_OBJECT;

		open_container(w, key, obj ? '{' : '[');
		for (c = pb_json_child(v); c; c = pb_json_next(c))
			pb_jsonw_value(w, obj ? pb_json_key(c) : NULL, c);
		pb_jsonw_end(w);
		break;
	}
	}
}

void pb_jsonw_finish(struct pb_jsonw *w)
{
	if (!w->compact)
		pb_buf_putc(w->out, '\n');
	drain(w);
}
