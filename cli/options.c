/* options.c: the option parser, --help text, config loading and result output shared by all commands. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/repo.h"
#include "bisect/revision.h"
#include "nightly/schemas.h"
#include "cli/cli.h"
#include "core/atomic.h"
#include "core/proc.h"
#include "core/util.h"
#include "measure/export.h"

struct cli_common cli;

static const struct cli_opt common_opts[] = {
	{ "help", 'h', CLI_FLAG, NULL, NULL, "show this help and exit", 0, 0 },
	{ "json", 0, CLI_FLAG, &cli.json, NULL, "print the result JSON on stdout instead of the table", 0, 0 },
	{ "output", 'o', CLI_STRING, &cli.output, "FILE", "write the result to FILE (atomically)", 0, 0 },
	{ "quiet", 'q', CLI_FLAG, &cli.quiet, NULL, "no progress, notes or warnings on stderr (errors still print)", 0, 0 },
	{ "repo", 0, CLI_STRING, &cli.repo, "DIR", "the git repository (default: found from the current directory)", 0, 0 },
	{ "config", 0, CLI_STRING, &cli.config, "FILE", "configuration file (default: placebisect.json at the repository's top)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

void cli_list_release(struct cli_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* Is common option `name` one that `cmd` does not take? */
static bool not_common(const struct cli_command *cmd, const char *name)
{
	const char *p = cmd ? cmd->not_common : NULL;
	size_t len = strlen(name);

	while (p && (p = strstr(p, name)) != NULL) {
		if ((p == cmd->not_common || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
		p += len;
	}
	return false;
}

static bool is_common(const struct cli_opt *o)
{
	size_t i;

	for (i = 0; i < PB_ARRAY_SIZE(common_opts); i++)
		if (o == &common_opts[i])
			return true;
	return false;
}

static void print_opts(const struct cli_command *cmd, const struct cli_opt *o, FILE *f)
{
	char left[64];

	for (; o && o->name; o++) {
		if (!o->help || not_common(cmd, o->name))
			continue;
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}

void cli_usage(const struct cli_command *cmd, const struct cli_opt *opts, FILE *f)
{
	fprintf(f, "usage: placebisect %s %s\n\n%s.\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->detail)
		fprintf(f, "\n%s\n", cmd->detail);
	if (opts && opts->name) {
		fprintf(f, "\nOptions:\n");
		print_opts(NULL, opts, f);
	}
	fprintf(f, "\nCommon options:\n");
	print_opts(cmd, common_opts, f);
	if (cmd->examples)
		fprintf(f, "\nExamples:\n%s", cmd->examples);
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	const struct cli_opt *tables[2] = { opts, common_opts }, *o;
	size_t t;

	for (t = 0; t < 2; t++)
		for (o = tables[t]; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	const struct cli_opt *tables[2] = { opts, common_opts }, *o;
	size_t t;

	for (t = 0; t < 2; t++)
		for (o = tables[t]; o && o->name; o++)
			if (o->short_name == c)
				return o;
	return NULL;
}

static int unknown_option(const struct cli_command *cmd, const struct cli_opt *opts, const char *arg)
{
	const struct cli_opt *tables[2] = { opts, common_opts }, *o;
	const char *names[128], *near;
	char word[64];
	size_t n = 0, t, len;

	for (t = 0; t < 2; t++)
		for (o = tables[t]; o && o->name && n < PB_ARRAY_SIZE(names); o++)
			names[n++] = o->name;
	len = strcspn(arg + 2, "=");
	snprintf(word, sizeof(word), "%.*s", (int)len, arg + 2);
	near = arg[1] == '-' ? pb_closest(word, names, n) : NULL;
	if (near)
		return pb_error("%s: unknown option '%s'; did you mean '--%s'? (see 'placebisect %s --help')",
				cmd->name, arg, near, cmd->name);
	return pb_error("%s: unknown option '%s' (see 'placebisect %s --help')", cmd->name, arg,
			cmd->name);
}

static int set_value(const struct cli_command *cmd, const struct cli_opt *o, const char *val)
{
	int64_t i;
	double d;

	switch (o->type) {
	case CLI_FLAG:
		*(bool *)o->value = true;
		return 0;
	case CLI_STRING:
		*(const char **)o->value = val;
		return 0;
	case CLI_INT:
		if (pb_parse_i64(val, (int64_t)o->min, (int64_t)o->max, &i))
			return pb_error("%s: --%s expects a whole number from %.0f to %.0f, got '%s'",
					cmd->name, o->name, o->min, o->max, val);
		*(long *)o->value = (long)i;
		return 0;
	case CLI_DOUBLE:
		if (pb_parse_double(val, &d) || d < o->min || d > o->max)
			return pb_error("%s: --%s expects a number from %g to %g, got '%s'", cmd->name,
					o->name, o->min, o->max, val);
		*(double *)o->value = d;
		return 0;
	case CLI_LIST: {
		struct cli_list *l = o->value;

		pb_xgrow((void **)&l->items, &l->cap, l->n + 1, sizeof(*l->items));
		l->items[l->n++] = val;
		return 0;
	}
	}
	return 0;
}

int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
	      char ***pos_out, int *dashdash)
{
	const struct cli_opt *o;
	const char **pos = pb_xcalloc((size_t)argc + 1, sizeof(*pos));
	const char *arg, *val;
	size_t npos = 0, len;
	int i;

	*pos_out = NULL;
	if (dashdash)
		*dashdash = -1;
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			if (dashdash)
				*dashdash = (int)npos;
			for (i++; i < argc; i++)
				pos[npos++] = argv[i];
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			pos[npos++] = arg;
			continue;
		}
		if (arg[1] == '-') {
			len = strcspn(arg + 2, "=");
			o = find_long(opts, arg + 2, len);
			val = arg[2 + len] == '=' ? arg + 3 + len : NULL;
		} else {
			if (arg[2] != '\0') {
				/* -oFILE */
				o = find_short(opts, arg[1]);
				val = o && o->type != CLI_FLAG ? arg + 2 : NULL;
				if (o && o->type == CLI_FLAG)
					o = NULL;
			} else {
				o = find_short(opts, arg[1]);
				val = NULL;
			}
		}
		if (!o) {
			free(pos);
			return unknown_option(cmd, opts, arg);
		}
		if (strcmp(o->name, "help") == 0) {
			cli_usage(cmd, opts, stdout);
			free(pos);
			return 1;
		}
		if (is_common(o) && not_common(cmd, o->name)) {
			free(pos);
			return pb_error("%s: --%s does not apply to this command (see 'placebisect %s "
					"--help')", cmd->name, o->name, cmd->name);
		}
		if (o->type == CLI_FLAG && val) {
			free(pos);
			return pb_error("%s: --%s takes no value", cmd->name, o->name);
		}
		if (o->type != CLI_FLAG && !val) {
			if (i + 1 >= argc) {
				free(pos);
				return pb_error("%s: --%s needs a value (%s)", cmd->name, o->name, o->arg);
			}
			val = argv[++i];
		}
		if (set_value(cmd, o, val)) {
			free(pos);
			return -1;
		}
	}
	*pos_out = (char **)pos;
	return 0;
}

int cli_common_prefix(int argc, char **argv)
{
	const struct cli_opt *o;
	const char *arg;
	size_t len;
	int i;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
			break;
		if (arg[1] == '-') {
			len = strcspn(arg + 2, "=");
			o = find_long(NULL, arg + 2, len);
			if (o && o->type != CLI_FLAG && arg[2 + len] != '=')
				i++; /* --config FILE */
		} else {
			o = find_short(NULL, arg[1]);
			if (o && o->type != CLI_FLAG && arg[2] == '\0')
				i++; /* -o FILE */
			else if (o && o->type == CLI_FLAG && arg[2] != '\0')
				o = NULL; /* -qx: not one flag */
		}
		if (!o || strcmp(o->name, "help") == 0)
			break;
		if (i >= argc)
			return argc; /* the value is missing: the command's parser says so */
	}
	return i;
}

int cli_parse_named(const struct cli_command *cmd, const char *name, const struct cli_opt *opts,
		    int argc, char **argv)
{
	char **pos = NULL;
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret == 0 && pos[0])
		ret = pb_error("%s: unexpected argument '%s'", name, pos[0]);
	free(pos);
	return ret;
}

int cli_parse_good_bad(const struct cli_command *cmd, const char *name, const struct cli_opt *opts,
		       int argc, char **argv, const char *const *good, const char *const *bad,
		       const char *const *bench)
{
	int ret = cli_parse_named(cmd, name, opts, argc, argv);

	if (ret == 0 && (!*good || !*bad || !*bench))
		ret = pb_error("%s: --good, --bad and --bench are required (see 'placebisect %s "
			       "--help')", name, name);
	return ret;
}

static int what_to_run(const char *name, const char *rev, const char *bench, char *const *pos,
		    int dashdash)
{
	if (rev && !bench)
		return pb_error("%s: --rev needs --bench NAME (the benchmark to run at that revision)",
				name);
	if (pos[0] && dashdash != 0)
		return pb_error("%s: unexpected argument '%s' (a command goes after --)", name, pos[0]);
	if (dashdash >= 0 && !pos[0])
		return pb_error("%s: nothing after --: give the command to %s", name, name);
	if (dashdash >= 0 && bench)
		return pb_error("%s: give either --bench NAME or a command after --, not both", name);
	if (dashdash < 0 && !bench)
		return pb_error("%s: what to run? --bench NAME (from placebisect.json) or -- CMD "
				"ARGS...", name);
	return 0;
}

int cli_runner_opts(const char *name, const char *rev, bool rebuild_failed, const char *bench,
		    char *const *pos, int dashdash, struct pb_config *cfg,
		    struct pb_bench_target *target, struct pb_runner_opts *o)
{
	char *top = NULL;
	int ret = -1;

	if (what_to_run(name, rev, bench, pos, dashdash) || cli_load_config(cfg, bench != NULL, &top))
		goto out;
	if (bench) {
		if (pb_bench_target_prepare(target, cfg, bench, rev, rebuild_failed,
					    cli.repo ? cli.repo : ".", top))
			goto out;
		*o = target->o;
	} else {
		pb_runner_opts_for_command(o, cfg, (const char *const *)pos);
	}
	/* In a repository, temporary directories go to its state directory, as with --rev. */
	if (!rev) {
		target->tmp = pb_state_tmp_of(cli.repo ? cli.repo : ".");
		o->tmp_dir = target->tmp;
	}
	ret = 0;
out:
	free(top);
	return ret;
}

int cli_run_start(struct cli_run *r, struct pb_progress **progress, volatile sig_atomic_t **stop)
{
	memset(r, 0, sizeof(*r));
	pb_config_init(&r->cfg);
	r->doc = (struct pb_buf)PB_BUF_INIT;
	r->table = (struct pb_buf)PB_BUF_INIT;
	if (cli_load_config(&r->cfg, true, NULL) || pb_repo_open(&r->repo, cli.repo ? cli.repo : "."))
		return -1;
	pb_progress_init(&r->progress, cli.quiet ? NULL : stderr);
	if (progress)
		*progress = &r->progress;
	if (stop)
		*stop = &cli_stop;
	cli_signals_catch();
	return 0;
}

struct pb_jsonw *cli_run_json(struct cli_run *r)
{
	pb_jsonw_init(&r->w, &r->doc, false);
	return &r->w;
}

int cli_run_emit(struct cli_run *r)
{
	pb_jsonw_finish(&r->w);
	return cli_emit(&r->doc, &r->table);
}

void cli_run_release(struct cli_run *r)
{
	cli_signals_restore();
	pb_repo_free(r->repo);
	pb_config_release(&r->cfg);
	pb_buf_release(&r->doc);
	pb_buf_release(&r->table);
	r->repo = NULL;
}

int cli_load_config(struct pb_config *cfg, bool required, char **repo_top)
{
	char *top = NULL, *path = NULL;
	int ret = 0;

	if (repo_top)
		*repo_top = NULL;
	/*
	 * The repository is optional unless the config must come from it. With --config and nobody
	 * asking for the top, nothing would use it: libgit2 is not even started.
	 */
	if ((!cli.config || repo_top || cli.repo) &&
	    pb_repo_discover(&top, NULL, cli.repo ? cli.repo : ".") && cli.repo)
		return -1;
	pb_error_clear();
	if (cli.config) {
		path = pb_xstrdup(cli.config);
	} else if (top) {
		path = pb_xasprintf("%s/placebisect.json", top);
		if (access(path, F_OK) != 0) {
			free(path);
			path = NULL;
		}
	}
	if (path) {
		ret = pb_config_load(cfg, path);
	} else {
		pb_config_set(&cfg->dir, top ? top : ".");
		pb_config_absolute_dir(cfg);
		if (required && !top)
			ret = pb_error("not inside a git repository: run placebisect from your "
				       "project's checkout, or pass --repo DIR");
		else if (required)
			ret = pb_error("no configuration: create placebisect.json at the repository's top "
				       "(see README.md, \"Configuration\"), or pass --config FILE");
	}
	free(path);
	if (repo_top && !ret)
		*repo_top = top;
	else
		free(top);
	return ret;
}

int cli_emit(const struct pb_buf *doc, const struct pb_buf *table)
{
	/* stdout first: a result that cannot be written to -o FILE (disk full) is still shown. */
	if (cli.json && doc)
		fwrite(doc->data, 1, doc->len, stdout);
	else if (table)
		fwrite(table->data, 1, table->len, stdout);
	if (doc && cli.output && pb_atomic_write(cli.output, doc->data, doc->len))
		return -1;
	return 0;
}

int cli_export(const char *csv, const char *markdown, const struct pb_export_target *t, size_t n,
	       const struct pb_compare *cmp)
{
	struct pb_buf b = PB_BUF_INIT;
	int ret = 0;

	if (csv) {
		pb_export_csv(t, n, &b);
		ret = pb_atomic_write(csv, b.data, b.len);
	}
	if (ret == 0 && markdown) {
		pb_buf_reset(&b);
		pb_export_markdown(t, n, cmp, &b);
		ret = pb_atomic_write(markdown, b.data, b.len);
	}
	pb_buf_release(&b);
	return ret;
}

void cli_stdout_sink(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	fwrite(data, 1, len, stdout);
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	fputs("placebisect: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_not_built(const char *cmd, int issue)
{
	return pb_error("'%s' is not built yet in this version (tracked as issue #%d)", cmd, issue);
}

/* ---- Signals ---- */

volatile sig_atomic_t cli_stop;

static void on_signal(int sig)
{
	/* First ^C: stop the running command and save; a second one ends at once, command too. */
	if (cli_stop) {
		pb_proc_kill_now();
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cli_stop = 1;
	pb_proc_interrupt();
}

void cli_signals_catch(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

void cli_signals_restore(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int cli_read_result(struct pb_json **doc, const char *path)
{
	const struct pb_schema *kind;

	if (pb_json_parse_file(doc, path))
		return -1;
	kind = pb_schema_find(*doc, pb_result_schemas, pb_n_result_schemas);
	if (!kind) {
		const char *s = pb_json_string(pb_json_get(*doc, "schema"), NULL);

		/* s points into the document: the message first, then the free. */
		pb_error("%s: not a placebisect result file (%s%s%s); a report is written from the JSON "
			 "of bisect, measure, compare, layout diff, fix or layouts", path,
			 s ? "schema '" : "no \"schema\" key", s ? s : "", s ? "'" : "");
		pb_json_free(*doc);
		*doc = NULL;
		return -1;
	}
	if (pb_schema_check(*doc, kind, path)) {
		pb_json_free(*doc);
		*doc = NULL;
		return -1;
	}
	return 0;
}
