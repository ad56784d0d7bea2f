/* config_check.c: placebisect.json read against the schema table and checked: types, ranges, unknown keys, and the checks that span fields. */
#include "core/config.h"
#include "core/config_impl.h"

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
			pb_config_bench_init(b, pb_json_key(m));
		} else {
			b = pb_config_add_bench(cfg, pb_json_key(m), NULL);
		}
		if (read_fields(c, b, pb_config_bench_fields, m) || check_bench(c, b))
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

int pb_config_read(struct pb_config *cfg, const struct pb_json *root, const char *name, bool text_kept)
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
		for (f = pb_config_top_fields; f->key; f++)
			if (strcmp(f->key, pb_json_key(m)) == 0)
				break;
		if (!f->key) {
			unknown_key(&c, pb_config_top_fields, pb_json_key(m));
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
