/* cli.h: the command table's entry points and the option parser every cmd_*.c uses. */
#ifndef PB_CLI_H
#define PB_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/json.h"
#include "core/progress.h"
#include "core/error.h"

struct pb_bench_target;
struct pb_compare;
struct pb_export_target;
struct pb_repo;
struct pb_runner_opts;

/* Options every command takes (DESIGN.md, "Command-line contract"). */
struct cli_common {
	bool json;          /* --json: result JSON on stdout instead of the table */
	const char *output; /* -o FILE */
	bool quiet;         /* -q: no progress, notes or warnings */
	const char *repo;   /* --repo DIR */
	const char *config; /* --config FILE */
};

enum cli_opt_type {
	CLI_FLAG,   /* bool, no argument */
	CLI_STRING, /* const char *, last one wins */
	CLI_INT,    /* long, checked against [min, max] */
	CLI_DOUBLE, /* double, checked against [min, max] */
	CLI_LIST,   /* repeatable; appended to a struct cli_list */
};

struct cli_list {
	const char **items;
	size_t n, cap;
};

struct cli_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	char short_name;  /* 0 if none */
	enum cli_opt_type type;
	void *value;      /* bool* / const char ** / long* / double* / struct cli_list* */
	const char *arg;  /* argument's name in help ("REV") */
	const char *help; /* NULL: accepted but not shown (kept for compatibility; say so in detail) */
	double min, max;  /* CLI_INT, CLI_DOUBLE */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;  /* "--good REV --bad REV --bench NAME [options]" */
	const char *detail; /* a paragraph printed under the usage by --help; may be NULL */
	const char *examples; /* "Examples:" of --help: real command lines, one a line, "# why" after */
	const char *not_common; /* common options that do not apply ("json", "repo config"): not in
				   --help, and an error when given; NULL: all apply */
};

/*
 * Parse argv[1..] (argv[0] is the command name) against `opts` plus the common options. The
 * remaining arguments, in order, go to *pos (NULL-terminated, pointers into argv; free the array);
 * everything after "--" is positional too and *dashdash is its index in *pos (-1 when absent).
 * Returns 0 to go on, 1 when --help was printed (exit 0), -1 on a usage error (recorded).
 */
int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
	      char ***pos, int *dashdash);

/*
 * How far the common options (--config FILE, --repo DIR, -q, --json, -o FILE) reach at the start
 * of argv[1..]: the index of the first argument that is not one of them or its value (argc when
 * all are). `placebisect --config F bisect ...` passes them on to the command.
 */
int cli_common_prefix(int argc, char **argv);

/* Print the command's --help to `f`. */
void cli_usage(const struct cli_command *cmd, const struct cli_opt *opts, FILE *f);

void cli_list_release(struct cli_list *l);

/*
 * cli_parse for a command that takes no positional argument: one is the usage error
 * "NAME: unexpected argument 'X'" (`name` as the user typed the command). Same returns.
 */
int cli_parse_named(const struct cli_command *cmd, const char *name, const struct cli_opt *opts,
		    int argc, char **argv);

/*
 * cli_parse_named, then --good, --bad and --bench (where they were parsed to) required:
 * "NAME: --good, --bad and --bench are required (see 'placebisect NAME --help')". Same returns.
 */
int cli_parse_good_bad(const struct cli_command *cmd, const char *name, const struct cli_opt *opts,
		       int argc, char **argv, const char *const *good, const char *const *bad,
		       const char *const *bench);

/*
 * Option-table rows shared by the commands that measure a benchmark at revisions (bisect, check,
 * layout verify, nightly). `o` points to their options struct, whose fields carry these names.
 */
#define CLI_OPT_BENCH(o)                                                                         \
	{ "bench", 0, CLI_STRING, &(o)->bench, "NAME",                                         \
	  "the benchmark (benchmarks.NAME in the config)", 0, 0 }
#define CLI_OPTS_MEASURE(o)                                                                      \
	{ "backend", 0, CLI_STRING, &(o)->backend, "B",                                        \
	  "auto, perf, cachegrind or time (default: measure.backend)", 0, 0 },                 \
	{ "metric", 0, CLI_STRING, &(o)->metric, "M",                                          \
	  "wall, cpu, instructions, est_cycles, a counter, ... (default: the benchmark's)", 0, 0 }, \
	{ "cpus", 0, CLI_STRING, &(o)->cpus, "LIST",                                           \
	  "CPUs to pin the benchmark to (default: measure.cpus)", 0, 0 }
#define CLI_OPT_REBUILD_FAILED(flag)                                                             \
	{ "rebuild-failed", 0, CLI_FLAG, flag, NULL,                                            \
	  "build again a commit whose build failed in an earlier run (failures are cached)", 0, 0 }
#define CLI_OPTS_STATS(o)                                                                        \
	{ "alpha", 0, CLI_DOUBLE, &(o)->alpha, "P", "significance level (default: stats.alpha)",   \
	  1e-9, 0.5 },                                                                           \
	{ "min-effect", 0, CLI_DOUBLE, &(o)->min_effect, "F",                                  \
	  "smallest relative slowdown that counts (default: stats.min_effect)", 0, 0.99 }
/* --export-csv and --export-markdown of `measure` and `compare` (cli_export). */
#define CLI_OPTS_EXPORT(csv, md)                                                                 \
	{ "export-csv", 0, CLI_STRING, csv, "FILE",                                            \
	  "write every run as a CSV row there (target, run, value, unit, timestamp, counters)", 0, 0 }, \
	{ "export-markdown", 0, CLI_STRING, md, "FILE",                                        \
	  "write the summary table there as markdown", 0, 0 }
/* --rev and --bench of `measure` and `profile` (`verb`: what is done at the revision). */
#define CLI_OPTS_REV_BENCH(rev, bench, verb)                                                     \
	{ "rev", 0, CLI_STRING, rev, "REV",                                                    \
	  "build this revision in the private worktree (cached) and " verb " it there", 0, 0 },  \
	{ "bench", 0, CLI_STRING, bench, "NAME", "the benchmark of placebisect.json to run", 0, 0 }
/* --good and --bad (with their help), then the three above: bisect, layout verify. */
#define CLI_OPTS_GOOD_BAD(o, good_help, bad_help)                                                \
	{ "good", 0, CLI_STRING, &(o)->good, "REV", good_help, 0, 0 },                         \
	{ "bad", 0, CLI_STRING, &(o)->bad, "REV", bad_help, 0, 0 },                            \
	CLI_OPT_BENCH(o), CLI_OPTS_MEASURE(o), CLI_OPTS_STATS(o)

/*
 * Ctrl-C and SIGTERM for commands that build and run (bisect, check, nightly, layout verify): the
 * first stops the running command and sets cli_stop, so the command saves and exits 130; a second
 * one kills the running command's process group and ends at once. cli_signals_restore() puts
 * the default handlers back.
 */
extern volatile sig_atomic_t cli_stop;
void cli_signals_catch(void);
void cli_signals_restore(void);

/* The common options of this invocation (filled by cli_parse). */
extern struct cli_common cli;

/*
 * Load the configuration the contract names: --config FILE, else placebisect.json at the
 * repository's top (--repo or discovered from cwd) when present, else defaults only. `required`
 * makes a missing file an error that says how to create one. *repo_top (may be NULL) receives the
 * repository's top directory when one was found (caller frees).
 */
int cli_load_config(struct pb_config *cfg, bool required, char **repo_top);

/*
 * Deliver a result: `doc` (a JSON document) to -o FILE atomically and/or to stdout when --json;
 * `table` (human text) to stdout unless --json. Either may be NULL. stdout comes first, so a
 * result -o cannot write (no space, read-only directory) is still shown. Returns 0 or -1
 * (the file could not be written; the earlier file, if any, is intact).
 */
int cli_emit(const struct pb_buf *doc, const struct pb_buf *table);

/*
 * A pb_jsonw sink that writes to stdout: a big document goes out in 1 MiB runs instead of being
 * held whole. Only for stdout; -o FILE is written whole and atomically by cli_emit.
 */
void cli_stdout_sink(void *ctx, const char *data, size_t len);

/* What a command that builds and runs at revisions (bisect, check, layout verify, nightly) holds. */
struct cli_run {
	struct pb_config cfg;
	struct pb_repo *repo;
	struct pb_progress progress; /* on stderr unless -q */
	struct pb_buf doc, table;    /* the result JSON and its human text, for cli_emit */
	struct pb_jsonw w;           /* writes doc (cli_run_json) */
};

/*
 * Start such a command: the configuration (required), the repository (--repo DIR, else found
 * from cwd), progress, and Ctrl-C caught into cli_stop. *progress (when not NULL) is pointed at
 * r->progress and *stop (when not NULL) at cli_stop, for the command's options. Returns 0 or -1
 * (error recorded); release with cli_run_release() in either case.
 */
int cli_run_start(struct cli_run *r, struct pb_progress **progress, volatile sig_atomic_t **stop);

/* The writer of the result JSON (into r->doc). */
struct pb_jsonw *cli_run_json(struct cli_run *r);

/* Finish the JSON and deliver it with r->table (cli_emit). Returns 0 or -1. */
int cli_run_emit(struct cli_run *r);

/* Put the default signal handlers back and release what r holds. */
void cli_run_release(struct cli_run *r);

/*
 * What `measure` and `profile` run, as runner options: --bench NAME (at --rev REV, or in the
 * user's tree) or a command after --, exactly one (`name` is the command's, for the messages).
 * Loads *cfg (initialised; required with --bench) and fills *o: from the benchmark, built and
 * checked out at --rev (*target holds it: release it with pb_bench_target_release() in either
 * case, zeroed with rev.st.lock_fd -1 before; `rebuild_failed`: --rebuild-failed), or from the
 * command. Without --rev, o->tmp_dir is the state directory's tmp/ when the command runs in a
 * repository (target->tmp: pb_state_tmp_of), else NULL ($TMPDIR). Returns 0 or -1.
 */
int cli_runner_opts(const char *name, const char *rev, bool rebuild_failed, const char *bench,
		    char *const *pos, int dashdash, struct pb_config *cfg,
		    struct pb_bench_target *target, struct pb_runner_opts *o);

/*
 * Read a result document a command will render or compare: parsed strictly, its "schema" one of
 * the kinds placebisect writes, and valid against that kind's table (core/schema.h) before any
 * of it is used. Errors name the file and the key path (exit 2). *doc is freed by the caller.
 */
int cli_read_result(struct pb_json **doc, const char *path);

/*
 * --export-csv FILE and --export-markdown FILE (either may be NULL): the runs of the n targets as
 * CSV, their summary as a markdown table (with `cmp`, the comparison's ratio and verdict), each
 * written atomically. Returns 0 or -1 (a file could not be written; error names it).
 */
int cli_export(const char *csv, const char *markdown, const struct pb_export_target *t, size_t n,
	       const struct pb_compare *cmp);

/* Print a note/progress line to stderr unless -q. */
void cli_note(const char *fmt, ...) PB_PRINTF(1, 2);

/* The command a module has not delivered yet: says so and returns PB_EXIT_USAGE. */
int cli_not_built(const char *cmd, int issue);

/* Commands (one cmd_*.c each). */
int cmd_bisect(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_layout_verify(int argc, char **argv); /* `layout verify`, dispatched by cmd_layout */
int cmd_order(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_layouts(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_annotate(int argc, char **argv);
int cmd_loops(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_system(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_worker(int argc, char **argv); /* hidden: a Slurm job's command (issue #20) */

/* The table entry of `name` (for cli_parse/cli_usage in cmd_*.c). */
const struct cli_command *cli_command(const char *name);

#endif
