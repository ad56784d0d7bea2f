/* config.c: placebisect.json's schema table, defaults and lifecycle, lookup, printing and hashing (reading and checks: config_check.c). */
#include "core/config.h"
#include "core/config_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strstore.h"
#include "core/util.h"

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

/* executor: where builds and runs happen (not in any hash: it does not change what is measured) */
static const char *const executor_kinds[] = { "local", "slurm", NULL };

static const struct field executor_fields[] = {
	{ "kind", F_ENUM, CF(executor.kind), 0, 0, false, executor_kinds, NULL, NULL },
	{ "jobs", F_INT, CF(executor.jobs), 1, 64, false, NULL, NULL, "commits built at once" },
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
	{ "executor", F_OBJECT, 0, 0, 0, false, NULL, executor_fields, NULL },
	{ "profile", F_OBJECT, 0, 0, 0, false, NULL, profile_fields, NULL },
	END,
};

/* The schema's roots, for the reader (config_check.c). */
const struct field *const pb_config_top_fields = top_fields;
const struct field *const pb_config_bench_fields = bench_fields;

void pb_config_set(char **field, const char *value)
{
	free(*field);
	*field = value ? pb_xstrdup(value) : NULL;
}

void pb_config_bench_init(struct pb_bench *b, const char *name)
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
	cfg->executor.kind = pb_xstrdup("local");
	cfg->executor.jobs = 1;
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

int pb_config_load_json(struct pb_config *cfg, const struct pb_json *root, const char *name)
{
	return pb_config_read(cfg, root, name, false);
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
	ret = pb_config_read(cfg, root, path, true);
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
	pb_config_bench_init(b, name);
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
				const struct field env = { v->name, F_ENV, offsetof(struct pb_layout_variant, env), 0, 0, false,
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
	pb_jsonw_object(w, "executor");
	write_fields(w, cfg, executor_fields, false);
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
