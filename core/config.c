/* config.c: placebisect.json: a schema table drives validation, defaults, printing and hashing. */
#include "core/config.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpus.h"
#include "core/error.h"
#include "core/strstore.h"
#include "core/util.h"

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

#define END { NULL, 0, 0, 0, 0, false, NULL, NULL, NULL }
#define CF(m) offsetof(struct pb_config, m)
#define BF(m) offsetof(struct pb_bench, m)

static const char *const backends[] = { "auto", "perf", "cachegrind", "time", NULL };

static const struct field cachegrind_fields[] = {
	{ "I1", F_STRING, CF(measure.cg_I1), 0, 0, false, NULL, NULL, "\"SIZE,WAYS,LINE\"" },
	{ "D1", F_STRING, CF(measure.cg_D1), 0, 0, false, NULL, NULL, "\"SIZE,WAYS,LINE\"" },
	{ "LL", F_STRING, CF(measure.cg_LL), 0, 0, false, NULL, NULL, "\"SIZE,WAYS,LINE\"" },
	END,
};

static const char *const fix_formats[] = { "gold", "lld", "ld", "hot", NULL };

static const struct field fix_fields[] = {
	{ "format", F_ENUM, CF(build.fix_format), 0, 0, false, fix_formats, NULL, NULL },
	{ "env", F_ENV, CF(build.fix_env), 0, 0, false, NULL, NULL, NULL },
	END,
};

static const struct field build_fields[] = {
	{ "command", F_STRING, CF(build.command), 0, 0, false, NULL, NULL, "a shell command" },
	{ "binary", F_STRING, CF(build.binary), 0, 0, false, NULL, NULL, "a path in the worktree" },
	{ "clean", F_STRING, CF(build.clean), 0, 0, false, NULL, NULL, "a shell command" },
	{ "install", F_STRING, CF(build.install), 0, 0, false, NULL, NULL, "a shell command" },
	{ "timeout", F_NUMBER, CF(build.timeout), 0.001, 1e7, false, NULL, NULL, "seconds" },
	{ "artifacts", F_LIST, CF(build.artifacts), 0, 0, false, NULL, NULL, "paths in the worktree" },
	{ "env", F_ENV, CF(build.env), 0, 0, false, NULL, NULL, NULL },
	{ "env_pass", F_LIST, CF(build.env_pass), 0, 0, false, NULL, NULL, "variable names" },
	{ "layout_variants", F_VARIANTS, CF(build.variants), 0, 0, false, NULL, NULL, NULL },
	/* fix: not in the build hash (a fix build has its own cache, keyed by the ordering) */
	{ "fix", F_OBJECT, 0, 0, 0, false, NULL, fix_fields, NULL },
	END,
};

static const struct field measure_fields[] = {
	{ "backend", F_ENUM, CF(measure.backend), 0, 0, false, backends, NULL, NULL },
	{ "cpus", F_STRING, CF(measure.cpus), 0, 0, false, NULL, NULL, "a CPU list or \"auto\"" },
	{ "events", F_LIST, CF(measure.events), 0, 0, false, NULL, NULL, "event names" },
	{ "cachegrind", F_OBJECT, 0, 0, 0, false, NULL, cachegrind_fields, NULL },
	{ "env_pad", F_INT, CF(measure.env_pad), 0, 1 << 20, false, NULL, NULL, "bytes" },
	END,
};

static const struct field layout_fields[] = {
	{ "hot", F_LIST, CF(layout.hot), 0, 0, false, NULL, NULL, "function names" },
	{ "l1i", F_STRING, CF(layout.l1i), 0, 0, false, NULL, NULL, "\"SIZE,WAYS,LINE\"" },
	END,
};

static const struct field stats_fields[] = {
	{ "alpha", F_NUMBER, CF(stats.alpha), 0, 0.5, true, NULL, NULL, NULL },
	{ "min_effect", F_NUMBER, CF(stats.min_effect), 0, 0.99, false, NULL, NULL, NULL },
	{ "max_runs", F_INT, CF(stats.max_runs), 1, 100000, false, NULL, NULL, NULL },
	END,
};

static const struct field profile_fields[] = {
	{ "call_graph", F_STRING, CF(profile.call_graph), 0, 0, false, NULL, NULL, "fp, dwarf or \"dwarf,SIZE\"" },
	{ "max_depth", F_INT, CF(profile.max_depth), 1, 1024, false, NULL, NULL, "frames" },
	END,
};

static const char *const gbench_times[] = { "real_time", "cpu_time", NULL };

static const struct field parse_fields[] = {
	{ "regex", F_STRING, BF(parse_regex), 0, 0, false, NULL, NULL, "a POSIX extended regex" },
	{ "file", F_STRING, BF(parse_file), 0, 0, false, NULL, NULL, "a path" },
	{ "benchmark", F_STRING, BF(parse_benchmark), 0, 0, false, NULL, NULL, "a benchmark name in the file" },
	{ "time", F_ENUM, BF(parse_time), 0, 0, false, gbench_times, NULL, NULL },
	END,
};

static const struct field bench_fields[] = {
	{ "command", F_STRING, BF(command), 0, 0, false, NULL, NULL, "a shell command" },
	{ "runs", F_INT, BF(runs), 1, 100000, false, NULL, NULL, NULL },
	{ "warmups", F_INT, BF(warmups), 0, 10000, false, NULL, NULL, NULL },
	{ "timeout", F_NUMBER, BF(timeout), 0.001, 1e7, false, NULL, NULL, "seconds" },
	{ "metric", F_STRING, BF(metric), 0, 0, false, NULL, NULL, "a metric name" },
	{ "parse", F_OBJECT, 0, 0, 0, false, NULL, parse_fields, NULL },
	{ "env", F_ENV, BF(env), 0, 0, false, NULL, NULL, NULL },
	{ "baseline", F_STRING, BF(baseline), 0, 0, false, NULL, NULL, "a shell command" },
	{ "prepare", F_STRING, BF(prepare), 0, 0, false, NULL, NULL, "a shell command" },
	{ "setup", F_STRING, BF(setup), 0, 0, false, NULL, NULL, "a shell command" },
	END,
};

/* "benchmarks" is a map handled by hand; the rest is generic. */
static const struct field top_fields[] = {
	{ "build", F_OBJECT, 0, 0, 0, false, NULL, build_fields, NULL },
	{ "benchmarks", F_OBJECT, 0, 0, 0, false, NULL, NULL, NULL },
	{ "measure", F_OBJECT, 0, 0, 0, false, NULL, measure_fields, NULL },
	{ "layout", F_OBJECT, 0, 0, 0, false, NULL, layout_fields, NULL },
	{ "stats", F_OBJECT, 0, 0, 0, false, NULL, stats_fields, NULL },
	{ "profile", F_OBJECT, 0, 0, 0, false, NULL, profile_fields, NULL },
	END,
};

#define AT(base, f, T) ((T *)((char *)(base) + (f)->off))

/*
 * The strings of the lists (F_LIST, F_ENV) are not allocated one by one: a list is one array of
 * pointers into the config's store, which holds the text of each file loaded (a name read from
 * it is a slice of it, decoded in place by the JSON reader) and blocks of copied strings. 100k
 * names cost their bytes in the file plus 8 bytes of pointer each, with no per-string malloc.
 */
/* A list's array; its strings belong to the config's store (or are static). */
static char **list_new(void)
{
	return pb_xcalloc(1, sizeof(char *));
}

static void list_free(char **l)
{
	free(l);
}

/* A list being filled: the count kept so that appending stays O(1). */
struct list_fill {
	char **l;
	size_t n, cap;
};

static void list_push(struct list_fill *f, char *s)
{
	pb_xgrow((void **)&f->l, &f->cap, f->n + 2, sizeof(char *));
	f->l[f->n++] = s;
	f->l[f->n] = NULL;
}

/* The NULL-terminated list (an empty one when nothing was pushed). */
static char **list_done(struct list_fill *f)
{
	return f->l ? f->l : list_new();
}

void pb_config_set(char **field, const char *value)
{
	free(*field);
	*field = value ? pb_xstrdup(value) : NULL;
}

static void bench_init(struct pb_bench *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = pb_xstrdup(name);
	b->runs = 10;
	b->warmups = 1;
	b->timeout = 60;
	b->metric = pb_xstrdup("wall");
	b->env = list_new();
}

static void release_fields(void *base, const struct field *fields)
{
	const struct field *f;

	for (f = fields; f->key; f++) {
		switch (f->type) {
		case F_STRING:
		case F_ENUM:
			free(*AT(base, f, char *));
			*AT(base, f, char *) = NULL;
			break;
		case F_LIST:
		case F_ENV:
			list_free(*AT(base, f, char **));
			*AT(base, f, char **) = NULL;
			break;
		case F_OBJECT:
			if (f->sub)
				release_fields(base, f->sub);
			break;
		case F_VARIANTS: {
			struct pb_config *cfg = base;

			for (size_t i = 0; i < cfg->build.n_variants; i++) {
				free(cfg->build.variants[i].name);
				list_free(cfg->build.variants[i].env);
			}
			free(cfg->build.variants);
			cfg->build.variants = NULL;
			cfg->build.n_variants = 0;
			break;
		}
		default:
			break;
		}
	}
}

static void bench_release(struct pb_bench *b)
{
	free(b->name);
	release_fields(b, bench_fields);
}

void pb_config_init(struct pb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->build.timeout = 900;
	cfg->build.artifacts = list_new();
	cfg->build.env = list_new();
	cfg->build.env_pass = list_new();
	cfg->build.fix_env = list_new();
	cfg->measure.backend = pb_xstrdup("auto");
	cfg->measure.cpus = pb_xstrdup("auto");
	cfg->measure.events = list_new();
	cfg->layout.hot = list_new();
	cfg->stats.alpha = 0.01;
	cfg->stats.min_effect = 0.02;
	cfg->stats.max_runs = 60;
	cfg->profile.call_graph = pb_xstrdup("fp");
	cfg->profile.max_depth = 127;
}

void pb_config_release(struct pb_config *cfg)
{
	size_t i;

	free(cfg->path);
	free(cfg->dir);
	release_fields(cfg, top_fields);
	for (i = 0; i < cfg->n_benchmarks; i++)
		bench_release(&cfg->benchmarks[i]);
	free(cfg->benchmarks);
	pb_strstore_free(&cfg->store);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- Loading ---- */

struct ctx {
	const char *name; /* file name for messages */
	struct pb_buf path; /* key path of the value being read */
	struct pb_config *cfg; /* its store holds the lists' strings */
	bool text_kept;     /* the document's text goes to cfg's store: its strings are kept as slices */
};

static int bad(struct ctx *c, const char *fmt, ...) PB_PRINTF(2, 3);
static int bad(struct ctx *c, const char *fmt, ...)
{
	struct pb_buf m = PB_BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	pb_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	ret = pb_error("%s: %s: %s", c->name, c->path.data, m.data);
	pb_buf_release(&m);
	return ret;
}

static void path_enter(struct ctx *c, const char *key, size_t *keep)
{
	*keep = c->path.len;
	if (c->path.len)
		pb_buf_putc(&c->path, '.');
	pb_buf_puts(&c->path, key);
}

static int want(struct ctx *c, const struct pb_json *v, enum pb_json_type t)
{
	if (pb_json_type(v) == t)
		return 0;
	return bad(c, "expected %s, got %s", pb_json_type_name(t), pb_json_type_name(pb_json_type(v)));
}

static int unknown_key(struct ctx *c, const struct field *fields, const char *key)
{
	const char *names[32], *near;
	size_t n = 0;
	const struct field *f;

	for (f = fields; f->key && n < PB_ARRAY_SIZE(names); f++)
		names[n++] = f->key;
	near = pb_closest(key, names, n);
	if (near)
		return bad(c, "unknown key (did you mean '%s'?)", near);
	return bad(c, "unknown key");
}

static int read_number(struct ctx *c, const struct field *f, const struct pb_json *v, double *out)
{
	char range[96];
	double d;

	if (want(c, v, PB_JSON_NUMBER))
		return -1;
	d = pb_json_number(v, NAN);
	if (f->type == F_INT && d != floor(d))
		return bad(c, "expected a whole number, got %g", d);
	if (d < f->min || d > f->max || (f->min_open && d <= f->min)) {
		if (f->min_open)
			snprintf(range, sizeof(range), "a number > %g and <= %g", f->min, f->max);
		else
			snprintf(range, sizeof(range), "%s from %g to %g",
				 f->type == F_INT ? "a whole number" : "a number", f->min, f->max);
		snprintf(range + strlen(range), sizeof(range) - strlen(range), ", got %g", d);
		return bad(c, "expected %s", range);
	}
	*out = d;
	return 0;
}

static int read_fields(struct ctx *c, void *base, const struct field *fields, const struct pb_json *obj);
static int read_field(struct ctx *c, void *base, const struct field *f, const struct pb_json *v);

/* The environment of one layout variant, read as an F_ENV field of struct pb_layout_variant. */
static const struct field variant_env = { "", F_ENV, offsetof(struct pb_layout_variant, env), 0, 0,
					  false, NULL, NULL, NULL };

static int read_variants(struct ctx *c, struct pb_config *cfg, const struct pb_json *v)
{
	const struct pb_json *m;
	struct pb_layout_variant *lv;
	size_t keep;

	if (want(c, v, PB_JSON_OBJECT))
		return -1;
	for (m = pb_json_child(v); m; m = pb_json_next(m)) {
		path_enter(c, pb_json_key(m), &keep);
		if (!*pb_json_key(m) || strpbrk(pb_json_key(m), "/ \t\n"))
			return bad(c, "a variant needs a name without '/' or spaces");
		cfg->build.variants = pb_xrealloc(cfg->build.variants, (cfg->build.n_variants + 1) *
						  sizeof(*cfg->build.variants));
		lv = &cfg->build.variants[cfg->build.n_variants++];
		lv->name = pb_xstrdup(pb_json_key(m));
		lv->env = list_new();
		if (read_field(c, lv, &variant_env, m))
			return -1;
		if (!lv->env[0])
			return bad(c, "a variant sets at least one variable (e.g. {\"CFLAGS\": \"-O2 "
				      "-falign-functions=64\"})");
		pb_buf_truncate(&c->path, keep);
	}
	return 0;
}

static int read_field(struct ctx *c, void *base, const struct field *f, const struct pb_json *v)
{
	const struct pb_json *e;
	const char *const *ch;
	struct pb_buf choices = PB_BUF_INIT;
	struct list_fill fill = { NULL, 0, 0 };
	const char *s;
	double d;
	size_t keep, i;

	switch (f->type) {
	case F_STRING:
		/* null: not set (the default stays), as `placebisect config --json` writes it. */
		if (pb_json_type(v) == PB_JSON_NULL)
			return 0;
		if (want(c, v, PB_JSON_STRING))
			return -1;
		pb_config_set(AT(base, f, char *), pb_json_string(v, ""));
		return 0;
	case F_ENUM:
		/* null: not set, as for strings (parse.time has no default) */
		if (pb_json_type(v) == PB_JSON_NULL)
			return 0;
		if (want(c, v, PB_JSON_STRING))
			return -1;
		for (ch = f->choices; *ch; ch++)
			if (strcmp(*ch, pb_json_string(v, "")) == 0)
				break;
		if (!*ch) {
			for (ch = f->choices; *ch; ch++)
				pb_buf_printf(&choices, "%s%s", ch == f->choices ? "" : ", ", *ch);
			bad(c, "'%s' is not one of: %s", pb_json_string(v, ""), choices.data);
			pb_buf_release(&choices);
			return -1;
		}
		pb_config_set(AT(base, f, char *), *ch);
		return 0;
	case F_INT:
		if (read_number(c, f, v, &d))
			return -1;
		*AT(base, f, int64_t) = (int64_t)d;
		return 0;
	case F_NUMBER:
		if (read_number(c, f, v, &d))
			return -1;
		*AT(base, f, double) = d;
		return 0;
	case F_LIST:
		if (want(c, v, PB_JSON_ARRAY))
			return -1;
		/* Sized once: a list of 100k names is one array of 100k pointers, not a doubled one. */
		if (pb_json_size(v))
			pb_xgrow((void **)&fill.l, &fill.cap, pb_json_size(v) + 1, sizeof(char *));
		for (e = pb_json_child(v), i = 0; e; e = pb_json_next(e), i++) {
			if (pb_json_type(e) != PB_JSON_STRING) {
				keep = c->path.len;
				pb_buf_printf(&c->path, "[%zu]", i);
				bad(c, "expected a string, got %s", pb_json_type_name(pb_json_type(e)));
				pb_buf_truncate(&c->path, keep);
				list_free(fill.l);
				return -1;
			}
			if (!*pb_json_string(e, "")) {
				keep = c->path.len;
				pb_buf_printf(&c->path, "[%zu]", i);
				bad(c, "empty string: list %s, or remove the element", f->help);
				pb_buf_truncate(&c->path, keep);
				list_free(fill.l);
				return -1;
			}
			s = pb_json_string(e, "");
			list_push(&fill, c->text_kept ? (char *)s : pb_strstore_join(&c->cfg->store, s, "", ""));
		}
		list_free(*AT(base, f, char **));
		*AT(base, f, char **) = list_done(&fill);
		return 0;
	case F_ENV:
		if (want(c, v, PB_JSON_OBJECT))
			return -1;
		for (e = pb_json_child(v); e; e = pb_json_next(e)) {
			const char *k = pb_json_key(e);

			path_enter(c, k, &keep);
			if (!*k || strchr(k, '=')) {
				bad(c, "not a valid environment variable name");
				list_free(fill.l);
				return -1;
			}
			if (pb_json_type(e) != PB_JSON_STRING) {
				bad(c, "expected a string, got %s", pb_json_type_name(pb_json_type(e)));
				list_free(fill.l);
				return -1;
			}
			pb_buf_truncate(&c->path, keep);
			s = pb_json_string(e, "");
			list_push(&fill, pb_strstore_join(&c->cfg->store, k, "=", s));
		}
		list_free(*AT(base, f, char **));
		*AT(base, f, char **) = list_done(&fill);
		return 0;
	case F_OBJECT:
		return read_fields(c, base, f->sub, v);
	case F_VARIANTS:
		return read_variants(c, base, v);
	}
	return 0;
}

static int read_fields(struct ctx *c, void *base, const struct field *fields, const struct pb_json *obj)
{
	const struct pb_json *m;
	const struct field *f;
	size_t keep;

	if (want(c, obj, PB_JSON_OBJECT))
		return -1;
	for (m = pb_json_child(obj); m; m = pb_json_next(m)) {
		path_enter(c, pb_json_key(m), &keep);
		for (f = fields; f->key; f++)
			if (strcmp(f->key, pb_json_key(m)) == 0)
				break;
		if (!f->key)
			return unknown_key(c, fields, pb_json_key(m));
		if (read_field(c, base, f, m))
			return -1;
		pb_buf_truncate(&c->path, keep);
	}
	return 0;
}

int pb_config_parse_geometry(const char *s, long *size, long *ways, long *line)
{
	char a[24], b[24], d[24];
	int64_t v[3];
	long sets;
	int n = 0;

	if (strlen(s) > 60 || sscanf(s, "%23[0-9],%23[0-9],%23[0-9]%n", a, b, d, &n) != 3 ||
	    s[n] != '\0')
		return -1;
	if (pb_parse_i64(a, 1, 1L << 40, &v[0]) || pb_parse_i64(b, 1, 1024, &v[1]) ||
	    pb_parse_i64(d, 1, 1 << 20, &v[2]))
		return -1;
	if (v[0] % (v[1] * v[2]))
		return -1;
	sets = (long)(v[0] / (v[1] * v[2]));
	if (sets & (sets - 1) || v[2] & (v[2] - 1))
		return -1;
	*size = (long)v[0];
	*ways = (long)v[1];
	*line = (long)v[2];
	return 0;
}

/* Longest parse.regex accepted: a pattern that extracts one number needs far less. */
#define REGEX_MAX 256

/*
 * A quantifier applied to a quantifier ("a++", "(x*){2}*"), outside bracket expressions: POSIX
 * leaves it undefined and glibc's regcomp can take gigabytes to compile a run of them (found by
 * fuzzing). Returns the offset of the second quantifier, or -1.
 */
static long stacked_quantifier(const char *re)
{
	bool after_quant = false;
	const char *p;

	for (p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			after_quant = false;
		} else if (*p == '[') {
			/* a bracket expression: ']' first is literal */
			p += p[1] == '^' ? 2 : 1;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (!*p)
				return -1; /* unterminated: regcomp says so */
			after_quant = false;
		} else if (strchr("*+?{", *p)) {
			if (after_quant)
				return (long)(p - re);
			if (*p == '{')
				while (*p && *p != '}')
					p++;
			if (!*p)
				return -1;
			after_quant = true;
		} else {
			after_quant = false;
		}
	}
	return -1;
}

/*
 * A command's placeholders: "{name}" with a name we do not substitute, or one of ours left open
 * ("{binary"), would reach the shell as written. Braces that cannot be a placeholder ("${VAR}",
 * "{ a; }", "{1..3}", "'{\"k\": 1}'") pass.
 */
static int check_placeholders(struct ctx *c, const char *key, const char *cmd)
{
	static const char *const names[] = { "binary", "worktree", "config_dir", "prefix" };
	const char *p, *q;
	size_t keep, n, i;
	int ret = 0;

	if (!cmd)
		return 0;
	path_enter(c, key, &keep);
	if (!*cmd) {
		ret = bad(c, "must not be empty: give a shell command (e.g. \"make -j2\"), or remove the key");
		goto out;
	}
	for (p = strchr(cmd, '{'); p && !ret; p = strchr(p + 1, '{')) {
		if (p > cmd && p[-1] == '$')
			continue;
		for (q = p + 1; (*q >= 'a' && *q <= 'z') || *q == '_' || (*q >= '0' && *q <= '9'); q++)
			;
		n = (size_t)(q - p - 1);
		if (!n || !(p[1] >= 'a' && p[1] <= 'z'))
			continue;
		for (i = 0; i < PB_ARRAY_SIZE(names); i++)
			if (strlen(names[i]) == n && strncmp(names[i], p + 1, n) == 0)
				break;
		if (*q == '}' && i == PB_ARRAY_SIZE(names))
			ret = bad(c, "unknown placeholder {%.*s} (the placeholders are {binary}, {worktree}, "
				  "{config_dir} and {prefix}; for a shell variable write ${%.*s})", (int)n, p + 1, (int)n,
				  p + 1);
		else if (*q != '}' && i < PB_ARRAY_SIZE(names))
			ret = bad(c, "placeholder {%s not closed: write {%s}", names[i], names[i]);
	}
out:
	pb_buf_truncate(&c->path, keep);
	return ret;
}

/* build.fix: its environment must use {order} (the ordering file), else the fix builds nothing new. */
static int check_fix(struct ctx *c, const struct pb_config *cfg)
{
	size_t keep = c->path.len;
	char *const *e;
	int ret = 0;

	pb_buf_puts(&c->path, ".fix");
	if (!cfg->build.fix_env[0]) {
		if (cfg->build.fix_format)
			ret = bad(c, "format without env: add \"env\" with the variables that take the "
				     "ordering file, e.g. {\"LDFLAGS\": \"-Wl,-T,{order}\"}");
		goto out;
	}
	for (e = cfg->build.fix_env; *e; e++)
		if (strstr(*e, "{order}"))
			goto out;
	pb_buf_puts(&c->path, ".env");
	ret = bad(c, "no value uses {order}, the ordering file placebisect writes (e.g. \"LDFLAGS\": "
		     "\"-fuse-ld=gold -Wl,--section-ordering-file,{order}\")");
out:
	pb_buf_truncate(&c->path, keep);
	return ret;
}

/*
 * A metric name that is a near miss of a known one ("wal") is refused with the suggestion; any
 * other name may be a counter (libpfm4 and perf name thousands: "INST_RETIRED", "cycles:u",
 * "L1-icache-load-misses"), which the backend checks when it opens it. Only plain lowercase words
 * are judged, so event names with modifiers, digits or capitals pass.
 */
static int check_metric(struct ctx *c, const char *metric)
{
	static const char *const known[] = {
		"wall", "cpu", "instructions", "cycles", "est_cycles", "stdout", "pyperf", "hyperfine",
		"gbench", "task-clock", "cpu-clock", "context-switches", "cpu-migrations",
		"minor-faults", "major-faults", "page-faults", "faults", "cs", "migrations", "branches",
		"branch-misses", "branch-instructions", "cache-misses", "cache-references",
		"bus-cycles", "ref-cycles", "stalled-cycles-frontend", "stalled-cycles-backend",
		"alignment-faults", "emulation-faults",
	};
	const char *near, *p;
	size_t i;

	for (i = 0; i < PB_ARRAY_SIZE(known); i++)
		if (strcmp(metric, known[i]) == 0)
			return 0;
	for (p = metric; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || *p == '-'))
			return 0;
	near = pb_closest(metric, known, PB_ARRAY_SIZE(known));
	if (near)
		return bad(c, "metric: unknown metric \"%s\" (did you mean \"%s\"?); a metric is wall, "
			      "cpu, instructions, cycles, est_cycles, stdout, pyperf, hyperfine, gbench or "
			      "a counter's name", metric, near);
	return 0;
}

/* Checks that span fields: regexes compile, geometries are valid, metrics have what they need. */
static int check_bench(struct ctx *c, struct pb_bench *b)
{
	regex_t re;
	char msg[128];
	int rc;

	if (!b->command)
		return bad(c, "missing \"command\" (the shell command that runs the benchmark)");
	if (check_placeholders(c, "command", b->command) ||
	    check_placeholders(c, "prepare", b->prepare) || check_placeholders(c, "setup", b->setup))
		return -1;
	if ((b->prepare && !*b->prepare) || (b->setup && !*b->setup))
		return bad(c, "%s: must not be empty (leave the key out for none)",
			   b->prepare && !*b->prepare ? "prepare" : "setup");
	if (!*b->metric)
		return bad(c, "metric: must not be empty");
	if (check_metric(c, b->metric))
		return -1;
	if (b->parse_regex) {
		if (strlen(b->parse_regex) > REGEX_MAX)
			return bad(c, "parse.regex: longer than %d characters; a pattern around the number "
				      "is enough, e.g. \"([0-9.]+) ms\"", REGEX_MAX);
		if (stacked_quantifier(b->parse_regex) >= 0)
			return bad(c, "parse.regex: a repetition of a repetition at offset %ld ('%s'): "
				      "not a valid extended regex", stacked_quantifier(b->parse_regex),
				   b->parse_regex);
		rc = regcomp(&re, b->parse_regex, REG_EXTENDED);
		if (rc) {
			regerror(rc, &re, msg, sizeof(msg));
			return bad(c, "parse.regex: %s", msg);
		}
		if (re.re_nsub < 1) {
			regfree(&re);
			return bad(c, "parse.regex: needs a capture group around the number, e.g. \"([0-9.]+) ms\"");
		}
		regfree(&re);
	}
	if (strcmp(b->metric, "stdout") == 0 && !b->parse_regex)
		return bad(c, "metric \"stdout\" needs parse.regex (the value is its first group)");
	if (strcmp(b->metric, "pyperf") == 0 && !b->parse_file)
		return bad(c, "metric \"pyperf\" needs parse.file (the pyperf JSON the benchmark writes)");
	if (strcmp(b->metric, "hyperfine") == 0 && !b->parse_file)
		return bad(c, "metric \"hyperfine\" needs parse.file (the file of hyperfine's "
			      "--export-json)");
	if (strcmp(b->metric, "gbench") == 0 && !b->parse_file)
		return bad(c, "metric \"gbench\" needs parse.file (the file of Google Benchmark's "
			      "--benchmark_out=FILE --benchmark_out_format=json)");
	return 0;
}

static int read_benchmarks(struct ctx *c, struct pb_config *cfg, const struct pb_json *obj)
{
	const struct pb_json *m;
	struct pb_bench *b;
	size_t keep;
	bool fresh;

	if (want(c, obj, PB_JSON_OBJECT))
		return -1;
	/*
	 * The keys are distinct (the reader refuses duplicates): into an empty table they are
	 * appended without a search, the table sized once, so 40k benchmarks load in linear time.
	 */
	fresh = cfg->n_benchmarks == 0;
	if (fresh && pb_json_size(obj))
		cfg->benchmarks = pb_xrealloc(cfg->benchmarks, pb_json_size(obj) * sizeof(*b));
	for (m = pb_json_child(obj); m; m = pb_json_next(m)) {
		path_enter(c, pb_json_key(m), &keep);
		if (!*pb_json_key(m))
			return bad(c, "a benchmark needs a name");
		if (fresh) {
			b = &cfg->benchmarks[cfg->n_benchmarks++];
			bench_init(b, pb_json_key(m));
		} else {
			b = pb_config_add_bench(cfg, pb_json_key(m), NULL);
		}
		if (read_fields(c, b, bench_fields, m) || check_bench(c, b))
			return -1;
		if (pb_json_get(m, "runs") || pb_json_get(m, "warmups"))
			b->runs_set = true;
		pb_buf_truncate(&c->path, keep);
	}
	return 0;
}

static int check_geometry(struct ctx *c, const char *key, const char *value)
{
	long s, w, l;
	size_t keep;
	int ret = 0;

	if (!value)
		return 0;
	path_enter(c, key, &keep);
	if (pb_config_parse_geometry(value, &s, &w, &l))
		ret = bad(c, "'%s' is not a cache geometry: expected \"SIZE,WAYS,LINE\" in bytes with a "
			  "power-of-two line size and number of sets, e.g. \"32768,8,64\"", value);
	pb_buf_truncate(&c->path, keep);
	return ret;
}

/* text_kept: the caller hands root's text to cfg's store; else strings are copied into it. */
static int load_json(struct pb_config *cfg, const struct pb_json *root, const char *name,
		     bool text_kept)
{
	struct ctx c = { name, PB_BUF_INIT, cfg, text_kept };
	const struct pb_json *m;
	const struct field *f;
	size_t keep;
	int ret = -1;

	if (want(&c, root, PB_JSON_OBJECT)) {
		pb_error("%s: the configuration must be a JSON object", name);
		goto out;
	}
	for (m = pb_json_child(root); m; m = pb_json_next(m)) {
		path_enter(&c, pb_json_key(m), &keep);
		for (f = top_fields; f->key; f++)
			if (strcmp(f->key, pb_json_key(m)) == 0)
				break;
		if (!f->key) {
			unknown_key(&c, top_fields, pb_json_key(m));
			goto out;
		}
		if (strcmp(f->key, "benchmarks") == 0 ? read_benchmarks(&c, cfg, m) :
							read_field(&c, cfg, f, m))
			goto out;
		pb_buf_truncate(&c.path, keep);
	}
	pb_buf_puts(&c.path, "build");
	if (check_placeholders(&c, "command", cfg->build.command) ||
	    check_placeholders(&c, "clean", cfg->build.clean) ||
	    check_placeholders(&c, "install", cfg->build.install) || check_fix(&c, cfg))
		goto out;
	pb_buf_reset(&c.path);
	pb_buf_puts(&c.path, "measure.cachegrind");
	if (check_geometry(&c, "I1", cfg->measure.cg_I1) || check_geometry(&c, "D1", cfg->measure.cg_D1) ||
	    check_geometry(&c, "LL", cfg->measure.cg_LL))
		goto out;
	pb_buf_reset(&c.path);
	pb_buf_puts(&c.path, "layout");
	if (check_geometry(&c, "l1i", cfg->layout.l1i))
		goto out;
	pb_buf_reset(&c.path);
	/* Syntax only: whether the CPUs exist is checked on the machine that measures. */
	if (strcmp(cfg->measure.cpus, "auto") != 0) {
		cpu_set_t set;
		struct pb_buf what = PB_BUF_INIT;

		pb_buf_printf(&what, "%s: measure.cpus", name);
		ret = pb_cpus_parse(&set, cfg->measure.cpus, 0, what.data);
		pb_buf_release(&what);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	pb_buf_release(&c.path);
	return ret;
}

int pb_config_load_json(struct pb_config *cfg, const struct pb_json *root, const char *name)
{
	return load_json(cfg, root, name, false);
}

void pb_config_absolute_dir(struct pb_config *cfg)
{
	char *abs = cfg->dir ? realpath(cfg->dir, NULL) : NULL;

	if (abs) {
		free(cfg->dir);
		cfg->dir = abs;
	}
}

int pb_config_load(struct pb_config *cfg, const char *path)
{
	struct pb_json *root;
	char *slash;
	int ret;

	if (pb_json_parse_file(&root, path))
		return -1;
	ret = load_json(cfg, root, path, true);
	/* Kept even on failure: lists already set point into it. */
	pb_strstore_keep(&cfg->store, pb_json_free_keep_text(root));
	if (ret)
		return -1;
	pb_config_set(&cfg->path, path);
	slash = strrchr(path, '/');
	free(cfg->dir);
	cfg->dir = slash ? pb_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : pb_xstrdup(".");
	pb_config_absolute_dir(cfg);
	return 0;
}

struct pb_bench *pb_config_add_bench(struct pb_config *cfg, const char *name, const char *command)
{
	struct pb_bench *b = NULL;
	size_t i;

	for (i = 0; i < cfg->n_benchmarks; i++)
		if (strcmp(cfg->benchmarks[i].name, name) == 0)
			b = &cfg->benchmarks[i];
	if (b) {
		bench_release(b);
	} else {
		cfg->benchmarks = pb_xrealloc(cfg->benchmarks, (cfg->n_benchmarks + 1) * sizeof(*b));
		b = &cfg->benchmarks[cfg->n_benchmarks++];
	}
	bench_init(b, name);
	if (command)
		b->command = pb_xstrdup(command);
	return b;
}

struct pb_bench *pb_config_bench(const struct pb_config *cfg, const char *name)
{
	struct pb_buf names = PB_BUF_INIT;
	size_t i;

	for (i = 0; i < cfg->n_benchmarks; i++)
		if (strcmp(cfg->benchmarks[i].name, name) == 0)
			return &cfg->benchmarks[i];
	for (i = 0; i < cfg->n_benchmarks; i++)
		pb_buf_printf(&names, "%s%s", i ? ", " : "", cfg->benchmarks[i].name);
	if (cfg->n_benchmarks)
		pb_error("no benchmark '%s' in %s (configured: %s)", name,
			 cfg->path ? cfg->path : "the configuration", names.data);
	else
		pb_error("no benchmark '%s': %s defines none (add it under \"benchmarks\", or pass --bench-cmd)",
			 name, cfg->path ? cfg->path : "the configuration");
	pb_buf_release(&names);
	return NULL;
}

/* ---- Writing ---- */

/* `for_hash`: the cache keys leave out what does not change a build or a measurement. */
static void write_fields(struct pb_jsonw *w, const void *base, const struct field *fields,
			 bool for_hash)
{
	const struct field *f;
	char *const *l;
	const char *eq;

	for (f = fields; f->key; f++) {
		if (for_hash && f->sub == fix_fields)
			continue;
		switch (f->type) {
		case F_STRING:
		case F_ENUM:
			pb_jsonw_string(w, f->key, *AT(base, f, char *));
			break;
		case F_INT:
			pb_jsonw_int(w, f->key, *AT(base, f, int64_t));
			break;
		case F_NUMBER:
			pb_jsonw_number(w, f->key, *AT(base, f, double));
			break;
		case F_LIST:
			pb_jsonw_array(w, f->key);
			for (l = *AT(base, f, char **); l && *l; l++) {
				pb_jsonw_string(w, NULL, *l);
				pb_jsonw_drain(w); /* with a sink: 100k names are not held whole */
			}
			pb_jsonw_end(w);
			break;
		case F_ENV:
			pb_jsonw_object(w, f->key);
			for (l = *AT(base, f, char **); l && *l; l++) {
				char key[256];

				eq = strchr(*l, '=');
				snprintf(key, sizeof(key), "%.*s", (int)(eq - *l), *l);
				pb_jsonw_string(w, key, eq + 1);
			}
			pb_jsonw_end(w);
			break;
		case F_VARIANTS:
			if (for_hash)
				break;
			pb_jsonw_object(w, f->key);
			for (size_t i = 0; i < ((const struct pb_config *)base)->build.n_variants; i++) {
				const struct pb_layout_variant *v = &((const struct pb_config *)base)->build.variants[i];
				const struct field env = { v->name, F_ENV, variant_env.off, 0, 0, false,
							   NULL, NULL, NULL };

				write_fields(w, v, (const struct field[]){ env, END }, for_hash);
			}
			pb_jsonw_end(w);
			break;
		case F_OBJECT:
			pb_jsonw_object(w, f->key);
			write_fields(w, base, f->sub, for_hash);
			pb_jsonw_end(w);
			break;
		}
	}
}

static void write_bench(struct pb_jsonw *w, const struct pb_bench *b)
{
	pb_jsonw_object(w, b->name);
	write_fields(w, b, bench_fields, false);
	pb_jsonw_end(w);
}

void pb_config_write_json(const struct pb_config *cfg, struct pb_jsonw *w)
{
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_object(w, "build");
	write_fields(w, cfg, build_fields, false);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "benchmarks");
	for (i = 0; i < cfg->n_benchmarks; i++) {
		write_bench(w, &cfg->benchmarks[i]);
		pb_jsonw_drain(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_object(w, "measure");
	write_fields(w, cfg, measure_fields, false);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "layout");
	write_fields(w, cfg, layout_fields, false);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "stats");
	write_fields(w, cfg, stats_fields, false);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "profile");
	write_fields(w, cfg, profile_fields, false);
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}

/* A hash of the compact JSON of `fields` (and the benchmark, when given). */
static uint64_t hash_fields(const struct pb_config *cfg, const struct field *fields,
			    const struct pb_bench *bench, bool with_measure)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_jsonw w;
	uint64_t h;

	pb_jsonw_init(&w, &b, true);
	pb_jsonw_object(&w, NULL);
	write_fields(&w, cfg, fields, true);
	if (bench)
		write_bench(&w, bench);
	if (with_measure)
		write_fields(&w, cfg, measure_fields, true);
	pb_jsonw_end(&w);
	h = pb_hash64(b.data, b.len, PB_HASH64_SEED);
	pb_buf_release(&b);
	return h;
}

uint64_t pb_config_bench_hash(const struct pb_config *cfg, const struct pb_bench *bench)
{
	return hash_fields(cfg, build_fields, bench, true);
}

uint64_t pb_config_build_hash(const struct pb_config *cfg)
{
	return hash_fields(cfg, build_fields, NULL, false);
}
