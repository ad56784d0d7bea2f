/* runner_region.c: the region of interest of exact metrics: a baseline command's counts subtracted, or a warning when start-up dominates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/tmpdir.h"
#include "core/util.h"
#include "measure/runner_impl.h"
#include "measure/vgout.h"
#include "render/format.h"

/* The value of the metric among cachegrind's counters `v` (PB_CG_NCOUNTERS of them). */
static double metric_of(const struct pb_runner *r, const struct pb_counter *v)
{
	size_t i;

	for (i = 0; i < PB_CG_NCOUNTERS; i++)
		if (strcmp(v[i].name, r->metric_name) == 0)
			return v[i].value;
	return NAN;
}

int pb_runner_baseline(struct pb_runner *r, struct pb_measurement *m)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	struct pb_cg_result cg;
	char **argv = NULL, *dir, *shell = NULL, desc[128];
	double v;
	int ret = -1;

	memset(&cg, 0, sizeof(cg));
	dir = pb_tmpdir_new(r->o->tmp_dir, "cg");
	if (!dir)
		return -1;
	po.cwd = r->o->cwd;
	po.env_set = r->env;
	po.cpus = r->pinned ? &r->cpus : NULL;
	po.timeout_s = r->timeout;
	po.stdout_fd = r->devnull;
	po.capture_max = 64 * 1024;
	/*
	 * Run the way the benchmark runs: a benchmark given as a shell command has the shell's cost
	 * in both (it cancels); one given as argv (`measure -- CMD`) has none, so the shell execs
	 * the baseline and its own start-up is not counted.
	 */
	if (r->o->argv) {
		shell = pb_xasprintf("exec %s", r->o->baseline);
		argv = pb_cachegrind_argv(&r->geo, dir, NULL, shell);
	} else {
		argv = pb_cachegrind_argv(&r->geo, dir, NULL, r->o->baseline);
	}
	po.argv = (const char *const *)argv;
	if (pb_proc_run(&po, &res))
		goto out;
	if (!res.exited || res.status != 0 || res.timed_out) {
		pb_proc_describe(&res, r->timeout, desc, sizeof(desc));
		pb_error("baseline `%s` failed (%s): it must run the benchmark's start-up and exit 0, "
			 "e.g. the benchmark with zero iterations", r->o->baseline, desc);
		goto out;
	}
	if (pb_cachegrind_collect(dir, &cg))
		goto out;
	free(r->base_vals);
	r->base_vals = pb_xcalloc(PB_CG_NCOUNTERS, sizeof(*r->base_vals));
	pb_cachegrind_counters(&cg, r->base_vals);
	r->have_base = true;
	v = metric_of(r, r->base_vals);
	pb_measurement_set_baseline(m, r->o->baseline, v, r->base_vals, PB_CG_NCOUNTERS);
	{
		char ex[48];
		char *msg = pb_xasprintf("%s is net of the baseline `%s` (%s %s, measured once and "
					 "subtracted from every run)", r->metric_name, r->o->baseline,
					 pb_fmt_exact(ex, sizeof(ex), v), r->metric_name);

		pb_note("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	ret = 0;
out:
	pb_tmpdir_remove(dir);
	free(dir);
	pb_cachegrind_argv_free(argv);
	free(shell);
	pb_cg_result_release(&cg);
	pb_proc_result_release(&res);
	return ret;
}

void pb_runner_subtract_baseline(struct pb_runner *r, struct pb_measurement *m)
{
	size_t i;
	char *msg;

	for (i = 0; i < PB_CG_NCOUNTERS; i++)
		r->vals[i].value -= r->base_vals[i].value;
	if (metric_of(r, r->vals) < 0 && !r->warned_negative) {
		r->warned_negative = true;
		msg = pb_xasprintf("a run cost less than its baseline `%s` (net %s %.0f): the baseline "
				   "does more than the benchmark's start-up", r->o->baseline,
				   r->metric_name, metric_of(r, r->vals));
		pb_warn("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	/* A count is never below 0: a miss counter the baseline had one more of than the run (the
	 * same code, a slightly different cache state) is noise of the subtraction, not a count. */
	for (i = 0; i < PB_CG_NCOUNTERS; i++)
		if (r->vals[i].value < 0)
			r->vals[i].value = 0;
}

/*
 * Code that runs before main or around it, whatever the program: glibc's dynamic loader (its
 * sources are under elf/, its functions _dl_*, do_lookup_x, check_match), the C runtime's
 * start-up, and C++ static initialisers. Recognised from cachegrind's file:function names.
 */
static bool startup_function(const char *name, const char *file)
{
	static const char *const prefixes[] = { "_dl_", "dl_", "_GLOBAL__sub_I_",
						"__static_initialization_and_destruction", "__libc_start",
						"__libc_early_init", "__libc_init", "__libc_csu_init",
						"init_cacheinfo", "init_cpu_features", "__init_cpu_features",
						"__GI___tunables_init", "__tunables_init", "intel_check_word",
						"handle_intel", "do_lookup_x", "check_match", NULL };
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	if (strcmp(name, "_init") == 0 || strcmp(name, "_start") == 0)
		return true;
	return file && (strstr(file, "/elf/") || strstr(file, "rtld.c") || strstr(file, "/dl-"));
}

void pb_runner_check_startup(struct pb_runner *r, struct pb_measurement *m,
			     const struct pb_cg_result *cg)
{
	double total = (double)cg->total[PB_CG_IR], start = 0;
	size_t i;
	char *msg, a[48], b[48], c[48];

	r->startup_checked = true;
	for (i = 0; i < cg->n_fns; i++)
		if (startup_function(cg->fns[i].name, cg->fns[i].file))
			start += (double)cg->fns[i].ir;
	if (total <= 0 || start <= total / 2)
		return;
	msg = pb_xasprintf("start-up is %.0f%% of the counted work: %s of %s instructions (Ir) are "
			   "the dynamic loader, C runtime and static initialisers, the benchmark's own "
			   "work at most %s; a change between revisions may be start-up's. Set "
			   "benchmarks.%s.baseline (e.g. the benchmark with zero iterations) to subtract "
			   "it", 100.0 * start / total, pb_fmt_exact(a, sizeof(a), start),
			   pb_fmt_exact(b, sizeof(b), total), pb_fmt_exact(c, sizeof(c), total - start),
			   r->o->name ? r->o->name : "NAME");
	pb_warn("%s", msg);
	pb_measurement_add_warning(m, msg);
	free(msg);
}
