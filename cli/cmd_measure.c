/* cmd_measure.c: `placebisect measure`: run a configured benchmark or a command, print and record the measurement. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/revision.h"
#include "cli/cli.h"
#include "core/log.h"
#include "measure/unstable.h"
#include "core/progress.h"
#include "core/proc.h"
#include "core/util.h"
#include "measure/export.h"
#include "measure/result.h"
#include "measure/runner.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	pb_proc_interrupt();
}

static void on_progress(void *arg, const char *label, size_t i, size_t n, bool warmup)
{
	static int64_t last_ns;
	struct pb_progress *p = arg;
	int64_t now;

	/* Drawn in place on a terminal, at most ten times a second: runs can be a millisecond. */
	if (!p->tty)
		return;
	now = pb_now_ns();
	if (i > 1 && i < n && now - last_ns < 100000000)
		return;
	last_ns = now;
	pb_progress_step(p, (int)i, (int)n, "%s: %s", label, warmup ? "warmup" : "run");
}

/* "cycles,instructions" and repeated --events into one NULL-terminated list (strings owned). */
static char **split_events(const struct cli_list *l)
{
	char **out = NULL;
	size_t n = 0, cap = 0, i, len;
	const char *s;

	for (i = 0; i < l->n; i++)
		for (s = l->items[i]; *s; s += len + (s[len] == ',')) {
			len = strcspn(s, ",");
			if (len == 0)
				continue;
			pb_xgrow((void **)&out, &cap, n + 2, sizeof(*out));
			out[n++] = pb_xstrndup(s, len);
			out[n] = NULL;
		}
	return out;
}

static void free_list(char **l)
{
	size_t i;

	for (i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* Runs that alternate between two modes or drift run after run are no sample of one level: say so. */
static void warn_unstable(const struct pb_measurement *m)
{
	size_t n, *group;
	double *v = pb_measurement_values(m, &n);
	char why[200];

	group = pb_xcalloc(n ? n : 1, sizeof(*group));
	if (m->summary.stdev > 0 && pb_unstable_check(group, v, n, PB_UNSTABLE_MIN_EFFECT, why, sizeof(why)))
		pb_warn("unstable: %s; these runs are no sample of one level, so a comparison with "
			"them means little (is there state one run leaves to the next, or heat?)", why);
	free(group);
	free(v);
}

int cmd_measure(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("measure");
	const char *rev = NULL, *bench_name = NULL, *backend = NULL, *cpus = NULL, *metric = NULL;
	const char *baseline_cmd = NULL, *prepare_cmd = NULL, *setup_cmd = NULL;
	const char *export_csv = NULL, *export_md = NULL;
	long runs = -1, warmups = -1;
	double timeout = -1;
	bool rebuild_failed = false;
	struct cli_list events = { 0 };
	const struct cli_opt opts[] = {
		CLI_OPTS_REV_BENCH(&rev, &bench_name, "measure"),
		{ "runs", 0, CLI_INT, &runs, "N", "recorded runs (default: the benchmark's, else 10)", 1, 1e6 },
		{ "warmups", 0, CLI_INT, &warmups, "N", "unrecorded runs first (default 1)", 0, 1e6 },
		{ "events", 0, CLI_LIST, &events, "LIST", "perf events or presets (ipc, icache, itlb, frontend), comma-separated", 0, 0 },
		{ "backend", 0, CLI_STRING, &backend, "B", "auto, perf, cachegrind or time", 0, 0 },
		{ "cpus", 0, CLI_STRING, &cpus, "LIST", "pin the benchmark to these CPUs (default measure.cpus, else \"auto\": the last online one; \"\": not pinned)", 0, 0 },
		{ "metric", 0, CLI_STRING, &metric, "M",
		  "wall, cpu, instructions, cycles, est_cycles, stdout, pyperf, hyperfine, gbench or a counter",
		  0, 0 },
		{ "baseline", 0, CLI_STRING, &baseline_cmd, "CMD",
		  "cachegrind: a shell command (the start-up alone, e.g. zero iterations) whose counts are "
		  "subtracted from every run's (default: the benchmark's baseline)", 0, 0 },
		{ "prepare", 0, CLI_STRING, &prepare_cmd, "CMD", "a shell command run before every run, not timed (default: the benchmark's prepare)", 0, 0 },
		{ "setup", 0, CLI_STRING, &setup_cmd, "CMD", "a shell command run once before the runs, not timed (default: the benchmark's setup)", 0, 0 },
		{ "timeout", 0, CLI_DOUBLE, &timeout, "SECONDS", "per run (default: the benchmark's, else none)", 0, 1e7 },
		CLI_OPT_REBUILD_FAILED(&rebuild_failed),
		CLI_OPTS_EXPORT(&export_csv, &export_md),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_bench_target target = { .rev = { .st = { NULL, -1 } } };
	struct pb_runner_opts o;
	struct pb_measurement m;
	struct pb_config cfg;
	struct pb_progress prog;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	struct sigaction sa, old_sa;
	char **pos = NULL, **ev = NULL;
	int dashdash, ret;

	ret = cli_parse(cmd, opts, argc, argv, &pos, &dashdash);
	if (ret) {
		cli_list_release(&events);
		return ret < 0 ? -1 : 0;
	}
	pb_config_init(&cfg);
	pb_measurement_init(&m);
	ret = -1;
	/* At --rev: built (or from the build cache) and checked out in the private worktree. */
	if (cli_runner_opts("measure", rev, rebuild_failed, bench_name, pos, dashdash, &cfg, &target, &o))
		goto out;
	if (runs > 0)
		o.runs = runs;
	if (warmups >= 0)
		o.warmups = warmups;
	if (runs > 0 || warmups >= 0)
		o.runs_set = true;
	if (timeout >= 0)
		o.timeout = timeout;
	if (backend)
		o.backend = backend;
	if (cpus)
		o.cpus = cpus;
	if (metric)
		o.metric = metric;
	if (baseline_cmd)
		o.baseline = baseline_cmd;
	if (prepare_cmd)
		o.prepare = prepare_cmd;
	if (setup_cmd)
		o.setup = setup_cmd;
	if (events.n) {
		ev = split_events(&events);
		o.events = (const char *const *)ev;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_sa);
	o.stop = &interrupted;
	pb_progress_init(&prog, cli.quiet ? NULL : stderr);
	o.progress = on_progress;
	o.progress_arg = &prog;
	ret = pb_runner_measure(&o, &m);
	pb_progress_done(&prog);
	sigaction(SIGINT, &old_sa, NULL);
	if (ret)
		goto out;

	pb_jsonw_init(&w, &doc, false);
	pb_measurement_write(&m, &w);
	pb_jsonw_finish(&w);
	pb_measure_format(&m, &table);
	if (cli_emit(&doc, &table) ||
	    cli_export(export_csv, export_md,
		       &(struct pb_export_target){ m.benchmark ? m.benchmark : m.command, &m }, 1, NULL)) {
		ret = -1;
		goto out;
	}
	warn_unstable(&m);
	if (m.summary.n == 0)
		ret = pb_error("measure: all %zu runs failed (see the warnings above); nothing to "
			       "summarize", m.n_runs);
out:
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_measurement_release(&m);
	pb_config_release(&cfg);
	cli_list_release(&events);
	free_list(ev);
	free(pos);
	pb_bench_target_release(&target);
	return ret;
}
