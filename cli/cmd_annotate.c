/* cmd_annotate.c: `placebisect annotate` and `placebisect loops`: hot code with per-instruction heat, and time per loop. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/revision.h"
#include "cli/cli.h"
#include "core/log.h"
#include "layout/annotate.h"
#include "layout/annotate_diff.h"
#include "measure/callgrind.h"
#include "measure/runner.h"
#include "measure/sampler.h"
#include "profile/annotate.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	pb_proc_interrupt();
}

/* --function A,B --function C: the names, split at commas (pointers into a copy each). */
static int split_names(const struct cli_list *l, const char *name, char ***names, size_t *n)
{
	size_t i, cap = 0;
	const char *p, *comma;

	*names = NULL;
	*n = 0;
	for (i = 0; i < l->n; i++) {
		for (p = l->items[i];; p = comma + 1) {
			comma = strchr(p, ',');
			if ((comma ? (size_t)(comma - p) : strlen(p)) == 0)
				return pb_error("%s: --function '%s': empty function name; expected "
						"NAME[,NAME...]", name, l->items[i]);
			pb_xgrow((void **)names, &cap, *n + 1, sizeof(**names));
			(*names)[(*n)++] = comma ? pb_xstrndup(p, (size_t)(comma - p)) : pb_xstrdup(p);
			if (!comma)
				break;
		}
	}
	return 0;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The L1i geometry: --l1i, else layout.l1i, else measure.cachegrind.I1, else this host's. */
static int geometry(struct pb_l1i *g, const char *l1i, const struct pb_config *cfg)
{
	if (l1i)
		return pb_l1i_parse(g, l1i, "--l1i");
	if (cfg->layout.l1i)
		return pb_l1i_parse(g, cfg->layout.l1i, "layout.l1i");
	if (cfg->measure.cg_I1)
		return pb_l1i_parse(g, cfg->measure.cg_I1, "measure.cachegrind.I1");
	pb_l1i_host(g, NULL);
	return 0;
}

/*
 * One side of `annotate --diff --good REV --bad REV --bench NAME`: the benchmark built at `rev`
 * (cached) and run once under callgrind into *cg; *object gets the program to annotate (caller
 * frees). The revision's lock is released before the other side is prepared.
 */
static int record_rev(const char *name, const char *rev, bool rebuild_failed, const char *bench,
		      char **pos, const char *l1i, struct pb_l1i *g, struct pb_callgrind *cg,
		      char **object)
{
	struct pb_config cfg;
	struct pb_bench_target target = { .rev = { .st = { NULL, -1 } } };
	struct pb_runner_opts o;
	char spec[64];
	int ret = -1;

	pb_config_init(&cfg);
	*object = NULL;
	if (cli_runner_opts(name, rev, rebuild_failed, bench, pos, -1, &cfg, &target, &o) ||
	    geometry(g, l1i, &cfg))
		goto out;
	snprintf(spec, sizeof(spec), "%llu,%u,%u", (unsigned long long)g->size, g->ways, g->line);
	o.stop = &interrupted;
	if (pb_callgrind_record_run("annotate", &o, true, spec, cg))
		goto out;
	*object = pb_annotate_default_object(target.binary, NULL, o.cwd);
	ret = 0;
out:
	pb_bench_target_release(&target);
	pb_config_release(&cfg);
	return ret;
}

/* `annotate --diff`: both builds annotated (the bad build's hot functions), side by side. */
static int emit_diff(const struct pb_callgrind *cg, const char *object,
		     const struct pb_callgrind *cg_bad, const char *bad_object, struct pb_ann_opts *ao)
{
	struct pb_annotation *a = NULL, *b = NULL;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret = -1;

	if (pb_annotate_diff(&a, &b, cg, object, cg_bad, bad_object, ao))
		goto out;
	pb_jsonw_init(&w, &doc, false);
	if (pb_annotation_diff_write(a, b, &w, cli.json ? NULL : &table))
		goto out;
	pb_jsonw_finish(&w);
	if (cli_emit(cli.json || cli.output ? &doc : NULL, &table))
		goto out;
	ret = 0;
out:
	pb_annotation_free(a);
	pb_annotation_free(b);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	return ret;
}

static int annotate_or_loops(int argc, char **argv, bool loops)
{
	const char *name = loops ? "loops" : "annotate";
	const struct cli_command *cmd = cli_command(name);
	const char *rev = NULL, *bench_name = NULL, *callgrind = NULL, *object = NULL, *l1i = NULL;
	const char *callgrind_bad = NULL, *good = NULL, *bad = NULL;
	struct cli_list fnl = { NULL, 0, 0 };
	long top = 5, freq = PB_SAMPLER_FREQ_DEFAULT;
	const char *backend = "callgrind";
	double cover = 0.9, min_share = 0;
	bool rebuild_failed = false, diff = false;
	const struct cli_opt opts[] = {
		CLI_OPTS_REV_BENCH(&rev, &bench_name, "annotate"),
		{ "callgrind", 0, CLI_STRING, &callgrind, "FILE",
		  "with BINARY: per-instruction costs from this callgrind file (valgrind --tool=callgrind "
		  "--dump-instr=yes --cache-sim=yes); with --diff: the good build's", 0, 0 },
		{ "callgrind-bad", 0, CLI_STRING, &callgrind_bad, "FILE",
		  "with --diff: the bad build's callgrind file", 0, 0 },
		{ "object", 0, CLI_STRING, &object, "PATH",
		  "the executable or library to annotate (default: the one with the most instructions)",
		  0, 0 },
		{ "function", 0, CLI_LIST, &fnl, "A,B,...",
		  "annotate these functions (repeatable; default: the hottest)", 0, 0 },
		{ "top", 0, CLI_INT, &top, "N", "at most N hot functions (default 5)", 1, 1000 },
		{ "cover", 0, CLI_DOUBLE, &cover, "F",
		  "hot functions: those covering this share of the object's cost (default 0.9)", 0.01, 1 },
		{ "min-share", 0, CLI_DOUBLE, &min_share, "PCT",
		  "fold instructions below PCT% of their function outside loops into '...' (default 0: all)",
		  0, 100 },
		{ "l1i", 0, CLI_STRING, &l1i, "SIZE,WAYS,LINE",
		  "L1i geometry (default: layout.l1i, measure.cachegrind.I1, else this host's)", 0, 0 },
		{ "backend", 0, CLI_STRING, &backend, "B",
		  "callgrind (exact Ir and I1 misses per instruction; default) or perf (sampled "
		  "instructions: cycles, else cpu-clock)", 0, 0 },
		{ "freq", 0, CLI_INT, &freq, "HZ", "--backend perf: samples per second (default 999)",
		  1, 100000 },
		{ "diff", 0, CLI_FLAG, &diff, NULL,
		  "annotate: GOOD BAD binaries side by side, same code aligned", 0, 0 },
		{ "good", 0, CLI_STRING, &good, "REV",
		  "with --diff and --bench: the good revision, built and run under callgrind", 0, 0 },
		{ "bad", 0, CLI_STRING, &bad, "REV",
		  "with --diff and --bench: the bad revision", 0, 0 },
		CLI_OPT_REBUILD_FAILED(&rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_config cfg;
	struct pb_bench_target target = { .rev = { .st = { NULL, -1 } } };
	struct pb_runner_opts o;
	struct pb_callgrind cg, cg_bad;
	struct pb_ann_opts ao;
	struct pb_annotation *a = NULL;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	struct sigaction sa, old_sa, old_term;
	char **pos = NULL, **names = NULL, *def_object = NULL, *bad_object = NULL;
	size_t n_names = 0, npos = 0;
	bool colour, sampled;
	int dashdash, ret;

	memset(&cg, 0, sizeof(cg));
	memset(&cg_bad, 0, sizeof(cg_bad));
	pb_config_init(&cfg);
	ret = cli_parse(cmd, opts, argc, argv, &pos, &dashdash);
	if (ret) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	ret = -1;
	while (pos[npos])
		npos++;
	if (split_names(&fnl, name, &names, &n_names))
		goto out;
	if (strcmp(backend, "callgrind") && strcmp(backend, "perf")) {
		pb_error("%s: --backend '%s': expected callgrind (exact, the default) or perf (sampling)",
			 name, backend);
		goto out;
	}
	sampled = strcmp(backend, "perf") == 0;
	if (sampled && (callgrind || diff)) {
		pb_error("%s: --backend perf samples a run: it goes with --bench or -- CMD, not with "
			 "%s", name, diff ? "--diff" : "--callgrind");
		goto out;
	}
	memset(&ao, 0, sizeof(ao));
	ao.names = (const char *const *)names;
	ao.n_names = n_names;
	ao.cover = cover;
	ao.max_funcs = (size_t)top;
	if (diff && (good || bad)) {
		if (loops || !good || !bad || !bench_name || npos || dashdash >= 0 || callgrind ||
		    callgrind_bad || rev) {
			pb_error("%s: --diff --good REV --bad REV --bench NAME: both revisions and the "
				 "benchmark, nothing else to run or read", name);
			goto out;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, &old_sa);
		sigaction(SIGTERM, &sa, &old_term);
		ret = record_rev(name, bad, rebuild_failed, bench_name, pos, l1i, &ao.l1i, &cg_bad, &bad_object);
		if (!ret)
			ret = record_rev(name, good, rebuild_failed, bench_name, pos, l1i, &ao.l1i, &cg,
					 &def_object);
		sigaction(SIGINT, &old_sa, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		if (ret)
			goto out;
		ret = emit_diff(&cg, def_object, &cg_bad, bad_object, &ao);
		goto out;
	}
	if (good || bad) {
		pb_error("%s: --good and --bad go with --diff --bench NAME", name);
		goto out;
	}
	if (diff) {
		if (loops || npos != 2 || dashdash >= 0 || bench_name) {
			pb_error("%s: --diff takes two binaries: annotate --diff GOOD BAD [--callgrind "
				 "GOOD.out --callgrind-bad BAD.out] [--function NAME]", name);
			goto out;
		}
		if (!!callgrind != !!callgrind_bad || (!callgrind && !n_names)) {
			pb_error("annotate --diff: give the hot functions with --function NAME, or the costs "
				 "of both builds with --callgrind GOOD.out --callgrind-bad BAD.out");
			goto out;
		}
		if (cli_load_config(&cfg, false, NULL) || geometry(&ao.l1i, l1i, &cfg))
			goto out;
		if (callgrind && (pb_callgrind_read(callgrind, &cg) ||
				  pb_callgrind_read(callgrind_bad, &cg_bad)))
			goto out;
		ret = emit_diff(callgrind ? &cg : NULL, pos[0], callgrind ? &cg_bad : NULL, pos[1], &ao);
		goto out;
	}
	if (callgrind_bad) {
		pb_error("%s: --callgrind-bad goes with --diff", name);
		goto out;
	}
	if (dashdash < 0 && !bench_name) {
		/* BINARY --callgrind FILE: nothing is run. */
		if (npos != 1 || !callgrind) {
			pb_error("%s: what to annotate? BINARY --callgrind FILE, --bench NAME [--rev REV], or "
				 "-- CMD ARGS... (see 'placebisect %s --help')", name, name);
			goto out;
		}
		if (cli_load_config(&cfg, false, NULL) || geometry(&ao.l1i, l1i, &cfg) ||
		    pb_callgrind_read(callgrind, &cg) ||
		    pb_annotate_callgrind(&a, &cg, object ? object : pos[0], &ao))
			goto out;
	} else {
		if (callgrind) {
			pb_error("%s: --callgrind FILE goes with BINARY, not with a run (--bench or -- CMD)",
				 name);
			goto out;
		}
		if (cli_runner_opts(name, rev, rebuild_failed, bench_name, pos, dashdash, &cfg, &target, &o) ||
		    geometry(&ao.l1i, l1i, &cfg))
			goto out;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, &old_sa);
		sigaction(SIGTERM, &sa, &old_term);
		o.stop = &interrupted;
		def_object = object ? NULL
				    : pb_annotate_default_object(bench_name ? target.binary : NULL,
								 bench_name ? NULL : (const char *const *)pos,
								 o.cwd);
		if (sampled) {
			ret = pb_annotate_sampled(&a, &o, (unsigned)freq, object ? object : def_object, &ao);
		} else {
			char spec[64];

			snprintf(spec, sizeof(spec), "%llu,%u,%u", (unsigned long long)ao.l1i.size,
				 ao.l1i.ways, ao.l1i.line);
			ret = pb_callgrind_record_run("annotate", &o, true, spec, &cg);
			if (!ret)
				ret = pb_annotate_callgrind(&a, &cg, object ? object : def_object, &ao);
		}
		sigaction(SIGINT, &old_sa, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		if (ret)
			goto out;
		ret = -1;
	}
	if (a->no_lines)
		pb_note("%s has no DWARF line table: build it with -g for source lines", a->elf->path);
	pb_jsonw_init(&w, &doc, false);
	pb_annotation_write_json(a, loops, &w);
	pb_jsonw_finish(&w);
	colour = !cli.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (loops)
		pb_annotation_write_loops_text(a, &table);
	else
		pb_annotation_write_text(a, colour, min_share / 100, &table);
	if (cli_emit(&doc, &table))
		goto out;
	ret = 0;
out:
	pb_annotation_free(a);
	pb_callgrind_release(&cg);
	pb_callgrind_release(&cg_bad);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_config_release(&cfg);
	free_names(names, n_names);
	free(def_object);
	free(bad_object);
	cli_list_release(&fnl);
	free(pos);
	pb_bench_target_release(&target);
	return ret;
}

int cmd_annotate(int argc, char **argv)
{
	return annotate_or_loops(argc, argv, false);
}

int cmd_loops(int argc, char **argv)
{
	return annotate_or_loops(argc, argv, true);
}
