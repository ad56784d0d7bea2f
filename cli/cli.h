/* cli.h: the command table's entry points and the option parser every cmd_*.c uses. */
#ifndef PB_CLI_H
#define PB_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/error.h"

/* Options every command takes (DESIGN.md, "Command-line contract"). */
struct cli_common {
	bool json;          /* --json: result JSON on stdout instead of the table */
	const char *output; /* -o FILE */
	bool quiet;         /* -q: no progress or notes */
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
	const char *help;
	double min, max;  /* CLI_INT, CLI_DOUBLE */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;  /* "--good REV --bad REV --bench NAME [options]" */
	const char *detail; /* a paragraph printed under the usage by --help; may be NULL */
};

/*
 * Parse argv[1..] (argv[0] is the command name) against `opts` plus the common options. The
 * remaining arguments, in order, go to *pos (NULL-terminated, pointers into argv; free the array);
 * everything after "--" is positional too and *dashdash is its index in *pos (-1 when absent).
 * Returns 0 to go on, 1 when --help was printed (exit 0), -1 on a usage error (recorded).
 */
int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
	      char ***pos, int *dashdash);

/* Print the command's --help to `f`. */
void cli_usage(const struct cli_command *cmd, const struct cli_opt *opts, FILE *f);

void cli_list_release(struct cli_list *l);

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
 * Read a result document a command will render or compare: parsed strictly, its "schema" one of
 * the kinds placebisect writes, and valid against that kind's table (core/schema.h) before any
 * of it is used. Errors name the file and the key path (exit 2). *doc is freed by the caller.
 */
int cli_read_result(struct pb_json **doc, const char *path);

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
int cmd_report(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_system(int argc, char **argv);
int cmd_config(int argc, char **argv);

/* The table entry of `name` (for cli_parse/cli_usage in cmd_*.c). */
const struct cli_command *cli_command(const char *name);

#endif
