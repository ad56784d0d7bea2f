/* config.h: placebisect.json: the schema, strict validation with key paths, defaults, placeholders. */
#ifndef PB_CORE_CONFIG_H
#define PB_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "core/strstore.h"

/* A build variant that moves code without changing it: `build.layout_variants.NAME`. */
struct pb_layout_variant {
	char *name;
	char **env; /* "K=V" added to build.env for this variant, NULL-terminated */
};

/* One benchmark: `benchmarks.NAME`. */
struct pb_bench {
	char *name;
	char *command;     /* shell command; placeholders {binary} {worktree} {config_dir} */
	int64_t runs;      /* recorded runs per measurement (>= 1), default 10 */
	int64_t warmups;   /* unrecorded runs first (>= 0), default 1 */
	bool runs_set;     /* runs or warmups written in the config (not the defaults) */
	double timeout;    /* seconds per run (> 0), default 60 */
	char *metric;      /* wall cpu instructions cycles est_cycles stdout pyperf hyperfine gbench or a
			      counter name */
	char *parse_regex; /* parse.regex: POSIX ERE, first group is the value (metric stdout) */
	char *parse_file;  /* parse.file: the JSON the benchmark writes (metric pyperf hyperfine gbench) */
	char *parse_benchmark; /* parse.benchmark: which benchmark of that file; NULL: its only one */
	char *parse_time;  /* parse.time: Google Benchmark's real_time (NULL: this) or cpu_time */
	char *baseline;    /* baseline: a command whose exact cost is subtracted (start-up); NULL: none */
	char *prepare;     /* prepare: a shell command run before every run, not timed; NULL: none */
	char *setup;       /* setup: a shell command run once per revision before its runs; NULL: none */
	char **env;        /* env: "K=V" entries, NULL-terminated (never NULL) */
};

struct pb_config {
	char *path; /* the file read; NULL when built from flags */
	char *dir;  /* {config_dir}: the file's directory, or the repository top */

	struct {
		char *command;    /* run in the worktree; NULL: none configured */
		char *binary;     /* path relative to the worktree of the built program, or
				     "{prefix}/..." a file the install put in the prefix */
		char *clean;      /* optional clean command */
		char *install;    /* optional: run after command with {prefix} = the commit's directory
				     in the build cache (e.g. "make install prefix={prefix}") */
		double timeout;   /* seconds, default 900 */
		char **artifacts; /* further files to keep per commit, NULL-terminated */
		char **env;       /* "K=V", NULL-terminated */
		char **env_pass;  /* variable names passed through from our environment */
		/* layout_variants: not part of the build hash (each variant has its own cache) */
		struct pb_layout_variant *variants;
		size_t n_variants;
		/* fix: how to build with a function order (not part of the build hash either: each
		 * ordering has its own cache). fix_env: "K=V" added to build.env, where {order} stands
		 * for the ordering file's path (empty: no fix configured); fix_format: gold lld ld hot
		 * (NULL: gold). */
		char **fix_env;
		char *fix_format;
	} build;

	struct pb_bench *benchmarks;
	size_t n_benchmarks;

	struct {
		char *backend;  /* auto perf cachegrind time */
		char *cpus;     /* CPU list, or "auto" (the measure module picks) */
		char **events;  /* perf events or presets, NULL-terminated */
		char *cg_I1, *cg_D1, *cg_LL; /* cachegrind.I1 ... "SIZE,WAYS,LINE"; NULL: host's */
		int64_t env_pad; /* bytes of padding variable added to the benchmark's environment */
	} measure;

	struct {
		char **hot;     /* hot function names for the evidence, NULL-terminated; empty: profile */
		char *l1i;      /* L1i geometry "SIZE,WAYS,LINE"; NULL: cachegrind's I1, else the host's */
	} layout;

	struct {
		char *kind;        /* where builds and runs happen: "local" (default) or "slurm" */
		int64_t jobs;      /* commits built (and judged) per round, >= 1, default 1 */
	} executor;

	struct {
		double alpha;      /* significance level, (0, 0.5], default 0.01 */
		double min_effect; /* smallest relative change that matters, [0, 1), default 0.02 */
		int64_t max_runs;  /* per commit, >= 1, default 60 */
	} stats;

	struct {
		char *call_graph;  /* profile: "fp" (default), "dwarf" or "dwarf,SIZE" (checked by the sampler) */
		int64_t max_depth; /* profile: frames kept per stack, 1..1024, default 127 */
	} profile;

	/*
	 * Private: where the strings of the lists above live (the lists themselves are single
	 * arrays): the text of each file loaded, kept whole because its strings are slices of it, and
	 * blocks of copied strings. Freed by pb_config_release().
	 */
	struct pb_strstore *store;
};

/* Fill in every default; no benchmarks. Release with pb_config_release(). */
void pb_config_init(struct pb_config *cfg);
void pb_config_release(struct pb_config *cfg);

/*
 * Load and validate `path` over the defaults in *cfg (pb_config_init first). Errors name the file
 * and, for JSON syntax, line and column; for content, the key path ("benchmarks.call_method.runs:
 * expected an integer >= 1, got 0"). Unknown keys are errors with the closest known key suggested.
 * A string key set to null is not set (its default stays), so the effective configuration that
 * pb_config_write_json() writes loads again. Returns 0 or -1 (class PB_EXIT_USAGE).
 */
int pb_config_load(struct pb_config *cfg, const char *path);

/* As pb_config_load() on a parsed document; `name` starts the messages. */
int pb_config_load_json(struct pb_config *cfg, const struct pb_json *root, const char *name);

/*
 * Add a benchmark built from flags (`--bench-cmd`), replacing one of the same name. Returns the
 * benchmark (owned by cfg).
 */
struct pb_bench *pb_config_add_bench(struct pb_config *cfg, const char *name, const char *command);

/* Set a string field owned by the config (frees the old value; NULL clears). */
void pb_config_set(char **field, const char *value);

/* The benchmark called `name`, or NULL with an error listing the configured ones. */
struct pb_bench *pb_config_bench(const struct pb_config *cfg, const char *name);

/* Write the effective configuration (defaults filled in) as one JSON object. */
void pb_config_write_json(const struct pb_config *cfg, struct pb_jsonw *w);

/*
 * A hash of what determines a measurement of `bench`: build, the benchmark and the measure
 * section (not stats). Measurement caches key on it.
 */
uint64_t pb_config_bench_hash(const struct pb_config *cfg, const struct pb_bench *bench);

/* A hash of the build section alone (every key the schema has): build caches key on it. */
uint64_t pb_config_build_hash(const struct pb_config *cfg);

/* Make cfg->dir ({config_dir}) an absolute path (a relative --config would otherwise make it
 * relative to whatever directory a command runs in); left as is when it cannot be resolved. */
void pb_config_absolute_dir(struct pb_config *cfg);

/* Values for the placeholders of a command; NULL ones are left as written. */
struct pb_placeholders {
	const char *binary;
	const char *worktree;
	const char *config_dir;
	const char *prefix; /* the commit's install prefix (build.install) */
};

/*
 * `tmpl` (a shell command) with {binary} {worktree} {config_dir} {prefix} replaced; other braces are kept.
 * Each value is shell-quoted for where it stands: a path with spaces, quotes or `$` stays one
 * word, also inside "..." or '...' in the template. Caller frees.
 */
char *pb_config_expand(const char *tmpl, const struct pb_placeholders *ph);

/* Parse a cache geometry "SIZE,WAYS,LINE" (sizes in bytes; SIZE/LINE/WAYS sets a power of 2). */
int pb_config_parse_geometry(const char *s, long *size, long *ways, long *line);

#endif
