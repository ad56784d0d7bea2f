/* runner.c: the runner set up: options, backend (perf, cachegrind, time), CPUs, environment. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cpus.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/runner_impl.h"
#include "measure/system.h"


const char *const pb_runner_metrics[] = { "wall", "cpu", "instructions", "cycles", "est_cycles",
					  "stdout", "pyperf", "hyperfine", "gbench", NULL };

static const char *const default_events[] = { "cycles", "instructions", "L1-ICACHE-LOAD-MISSES",
					       "ITLB-LOAD-MISSES", NULL };
/* Counted with every perf measurement, as perf stat does: cheap and always there. */
static const char *const always_events[] = { "task-clock", "context-switches", "page-faults", NULL };



/* ---- options ---- */

void pb_runner_opts_init(struct pb_runner_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->runs = 10;
	o->warmups = 1;
	o->metric = "wall";
	o->backend = "auto";
}

/* The config's measure section: backend, cpus, events, env_pad, cachegrind geometry. */
static void measure_section(struct pb_runner_opts *o, const struct pb_config *cfg)
{
	o->backend = cfg->measure.backend;
	o->cpus = cfg->measure.cpus;
	o->events = (const char *const *)cfg->measure.events;
	o->env_pad = (long)cfg->measure.env_pad;
	o->cg_I1 = cfg->measure.cg_I1;
	o->cg_D1 = cfg->measure.cg_D1;
	o->cg_LL = cfg->measure.cg_LL;
}

void pb_runner_opts_from_config(struct pb_runner_opts *o, const struct pb_config *cfg,
				const struct pb_bench *bench)
{
	pb_runner_opts_init(o);
	o->name = bench->name;
	o->shell = bench->command;
	o->env = (const char *const *)bench->env;
	o->runs = (long)bench->runs;
	o->warmups = (long)bench->warmups;
	o->runs_set = bench->runs_set;
	o->timeout = bench->timeout;
	o->metric = bench->metric;
	o->parse_regex = bench->parse_regex;
	o->parse_file = bench->parse_file;
	o->parse_benchmark = bench->parse_benchmark;
	o->parse_time = bench->parse_time;
	o->baseline = bench->baseline;
	measure_section(o, cfg);
}

void pb_runner_opts_for_command(struct pb_runner_opts *o, const struct pb_config *cfg,
				const char *const *argv)
{
	pb_runner_opts_init(o);
	o->argv = argv;
	measure_section(o, cfg);
}

/* ---- set-up ---- */

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool is_cachegrind_counter(const char *name)
{
	size_t k;

	for (k = 0; k < PB_CG_NEVENTS; k++)
		if (strcmp(name, pb_cachegrind_events[k]) == 0)
			return true;
	return strcmp(name, "instructions") == 0 || strcmp(name, "est_cycles") == 0;
}

static int setup_cpus(struct pb_runner *r)
{
	const char *list = r->o->cpus;
	char online[256];
	cpu_set_t all, mine;
	int cpu, last = -1;

	if (!list || !*list)
		return 0;
	if (strcmp(list, "auto") == 0) {
		/*
		 * The last online CPU we may run on (a cpuset or taskset may exclude some): the one
		 * least likely to run interrupts and housekeeping.
		 */
		if (pb_cpus_online(online, sizeof(online)) ||
		    pb_cpus_parse(&all, online, 0, "online CPUs"))
			return -1;
		if (sched_getaffinity(0, sizeof(mine), &mine) == 0)
			CPU_AND(&all, &all, &mine);
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &all))
				last = cpu;
		if (last < 0)
			return pb_error_as(PB_EXIT_ENV, "no online CPU found to pin the benchmark to");
		CPU_ZERO(&r->cpus);
		CPU_SET(last, &r->cpus);
		snprintf(r->cpus_desc, sizeof(r->cpus_desc), "%d", last);
	} else {
		if (pb_cpus_parse(&r->cpus, list, 1, "--cpus"))
			return -1;
		snprintf(r->cpus_desc, sizeof(r->cpus_desc), "%s", list);
	}
	r->pinned = true;
	return 0;
}

static int setup_env(struct pb_runner *r)
{
	size_t n = 0, i;

	while (r->o->env && r->o->env[n])
		n++;
	r->env = pb_xcalloc(n + 2, sizeof(*r->env));
	for (i = 0; i < n; i++)
		r->env[i] = r->o->env[i];
	if (r->o->env_pad > 0) {
		/* The stack starts below the environment: padding moves it, a layout-bias control. */
		r->pad = pb_xmalloc(sizeof("PB_ENV_PAD=") + (size_t)r->o->env_pad);
		memcpy(r->pad, "PB_ENV_PAD=", 11);
		memset(r->pad + 11, 'x', (size_t)r->o->env_pad);
		r->pad[11 + r->o->env_pad] = '\0';
		r->env[n] = r->pad;
	}
	return 0;
}

/* The perf event list: asked-for (or default) events, the metric's counter, and the software ones. */
static const char **perf_events(struct pb_runner *r, const char *const *asked)
{
	const char **ev;
	size_t n = 0, i;

	for (i = 0; asked && asked[i]; i++)
		n++;
	ev = pb_xcalloc(n + 8, sizeof(*ev));
	n = 0;
	for (i = 0; asked && asked[i]; i++)
		ev[n++] = asked[i];
	if (r->metric == MK_COUNTER && !in_list(r->metric_name, ev))
		ev[n++] = r->metric_name;
	for (i = 0; always_events[i]; i++)
		if (!in_list(always_events[i], ev))
			ev[n++] = always_events[i];
	return ev;
}

/*
 * No hardware counters (auto's fallback): the asked-for events split into software ones, which
 * are counted, and hardware ones, refused with the reason in r->refused. The default events are
 * all hardware and are dropped without a word (the fallback warning says it). *sw gets a
 * NULL-terminated list borrowing the names (caller frees the array). 0 or -1 (unknown name).
 */
static int software_only(struct pb_runner *r, const char ***sw)
{
	const char *const *asked = r->o->events && r->o->events[0] ? r->o->events : NULL;
	struct pb_counters *all = NULL;
	struct pb_buf refused = PB_BUF_INIT;
	size_t i, n = 0, k;

	*sw = NULL;
	if (!asked) {
		*sw = pb_xcalloc(1, sizeof(**sw));
		return 0;
	}
	if (pb_counters_new(&all, asked))
		return -1;
	*sw = pb_xcalloc(pb_counters_count(all) + 1, sizeof(**sw));
	for (i = 0, k = 0; i < pb_counters_count(all); i++) {
		if (!pb_counters_is_hardware(all, i)) {
			/* Borrow the caller's spelling: `all` is freed below. */
			for (; asked[k] && strcasecmp(asked[k], pb_counters_name(all, i)) != 0; k++)
				;
			if (asked[k])
				(*sw)[n++] = asked[k];
			k = 0;
			continue;
		}
		pb_buf_printf(&refused, "%s%s", refused.len ? ", " : "", pb_counters_name(all, i));
	}
	if (refused.len)
		r->refused = pb_xasprintf("not counted: %s: hardware event%s, and this machine has no "
					  "hardware counters", refused.data, strchr(refused.data, ',') ? "s" : "");
	pb_counters_free(all);
	pb_buf_release(&refused);
	return 0;
}

/*
 * Probe the hardware events of the set on ourselves. Returns the number that open; *first_reason
 * gets the first failure's reason (caller frees). Warns about each one that does not open.
 */
static size_t probe_hardware(struct pb_runner *r, size_t *n_hw, char **first_reason)
{
	struct pb_buf why = PB_BUF_INIT;
	size_t i, opened = 0;

	*n_hw = 0;
	*first_reason = NULL;
	for (i = 0; i < pb_counters_count(r->counters); i++) {
		if (!pb_counters_is_hardware(r->counters, i))
			continue;
		(*n_hw)++;
		pb_buf_reset(&why);
		if (pb_counters_probe(pb_counters_name(r->counters, i), &why) == 1) {
			opened++;
			continue;
		}
		pb_error_clear();
		if (!*first_reason)
			*first_reason = pb_xasprintf("%s: %s", pb_counters_name(r->counters, i), why.data);
	}
	pb_buf_release(&why);
	return opened;
}

static int setup_perf(struct pb_runner *r, bool is_auto)
{
	struct pb_buf why = PB_BUF_INIT;
	const char **ev = NULL, **sw = NULL;
	char *reason = NULL;
	size_t n_hw, opened, i;
	int hw, ret = -1;

	/* Hardware counters at all? One probe of cycles decides auto's fallback. */
	hw = pb_counters_probe("cycles", &why);
	if (hw < 0)
		goto out;
	if (hw == 1 || !is_auto) {
		ev = perf_events(r, r->o->events && r->o->events[0] ? r->o->events : default_events);
		if (pb_counters_new(&r->counters, ev))
			goto out;
		opened = probe_hardware(r, &n_hw, &reason);
		if (n_hw > 0 && opened == 0) {
			pb_error_as(PB_EXIT_ENV, "--backend perf: no hardware counter opens here (%s); "
				    "use --backend cachegrind for exact simulated counts, or --backend "
				    "time", reason);
			goto out;
		}
		r->sw_only = n_hw == 0;
	} else {
		if (r->metric == MK_COUNTER && pb_counters_probe(r->metric_name, NULL) != 1) {
			pb_error_clear();
			pb_error_as(PB_EXIT_ENV, "metric '%s' needs hardware counters, which this machine "
				    "does not have (cycles: %s); --backend cachegrind gives instructions "
				    "and est_cycles exactly", r->metric_name, why.data);
			goto out;
		}
		r->fallback = pb_xasprintf("no hardware counters here (cycles: %s); counting software "
					   "events and clocks only; `--backend cachegrind` gives exact "
					   "simulated instruction and cache counts", why.data);
		pb_warn("%s", r->fallback);
		if (software_only(r, &sw))
			goto out;
		if (r->refused)
			pb_warn("%s", r->refused);
		ev = perf_events(r, sw);
		if (pb_counters_new(&r->counters, ev))
			goto out;
		r->sw_only = true;
	}
	r->n_vals = pb_counters_count(r->counters);
	r->vals = pb_xcalloc(r->n_vals, sizeof(*r->vals));
	r->warned = pb_xcalloc(r->n_vals, sizeof(*r->warned));
	r->noted = pb_xcalloc(r->n_vals, sizeof(*r->noted));
	if (r->metric == MK_COUNTER) {
		for (i = 0; i < r->n_vals; i++)
			if (strcmp(pb_counters_name(r->counters, i), r->metric_name) == 0)
				break;
		if (i == r->n_vals) {
			pb_error("metric '%s' is not one of the counted events", r->metric_name);
			goto out;
		}
	}
	ret = 0;
out:
	free(ev);
	free(sw);
	free(reason);
	pb_buf_release(&why);
	return ret;
}

static int setup_cachegrind(struct pb_runner *r)
{
	struct pb_config cfg;

	if (pb_cachegrind_available())
		return -1;
	if (r->metric == MK_WALL || r->metric == MK_CPU) {
		pb_note("cachegrind: '%s' would be valgrind's slowed-down time; the metric is est_cycles",
			r->metric_name);
		r->metric = MK_COUNTER;
		r->metric_name = "est_cycles";
	}
	if (r->metric == MK_COUNTER && !is_cachegrind_counter(r->metric_name))
		return pb_error("metric '%s' is not a cachegrind counter: use Ir, I1mr, ILmr, Dr, D1mr, "
				"DLmr, Dw, D1mw, DLmw, instructions or est_cycles", r->metric_name);
	if (r->runs != 1 || r->warmups != 0) {
		/* Defaults the user never chose are not theirs to be told about. */
		if (r->o->runs_set)
			pb_note("cachegrind is exact when the benchmark is deterministic: one run, no "
				"warmup (asked: %ld %s, "
				"%ld %s)", r->runs, pb_plural((size_t)r->runs, "run", "runs"), r->warmups,
				pb_plural((size_t)r->warmups, "warmup", "warmups"));
		r->runs = 1;
		r->warmups = 0;
	}
	/* Geometry through the config's rules; only the cachegrind fields matter here. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.measure.cg_I1 = (char *)r->o->cg_I1;
	cfg.measure.cg_D1 = (char *)r->o->cg_D1;
	cfg.measure.cg_LL = (char *)r->o->cg_LL;
	if (pb_cachegrind_geometry(&cfg, NULL, &r->geo))
		return -1;
	r->timeout = r->o->timeout * PB_VALGRIND_SLOWDOWN;
	r->n_vals = PB_CG_NCOUNTERS;
	r->vals = pb_xcalloc(r->n_vals, sizeof(*r->vals));
	return 0;
}

int pb_runner_new(struct pb_runner **out, const struct pb_runner_opts *o)
{
	struct pb_runner *r = pb_xcalloc(1, sizeof(*r));
	const char *b = o->backend ? o->backend : "auto";
	int ret = -1;

	*out = NULL;
	r->o = o;
	r->devnull = -1;
	r->runs = o->runs;
	r->warmups = o->warmups;
	r->timeout = o->timeout;
	if (!o->shell == !o->argv || (o->argv && !o->argv[0])) {
		pb_error("nothing to run: give a benchmark (--bench NAME) or a command after --");
		goto out;
	}
	if (r->runs < 1 || r->warmups < 0) {
		pb_error("runs must be at least 1 and warmups at least 0 (got %ld and %ld)", r->runs,
			 r->warmups);
		goto out;
	}
	if (pb_runner_setup_metric(r) || setup_cpus(r) || setup_env(r))
		goto out;
	if (strcmp(b, "time") == 0) {
		r->backend = BK_TIME;
		if (r->metric == MK_COUNTER) {
			pb_error("metric '%s' needs counters: use --backend perf or cachegrind, not time",
				 r->metric_name);
			goto out;
		}
	} else if (strcmp(b, "perf") == 0 || strcmp(b, "auto") == 0) {
		r->backend = BK_PERF;
		if (r->metric == MK_COUNTER && strcmp(r->metric_name, "est_cycles") == 0) {
			pb_error("metric est_cycles is cachegrind's estimate: use --backend cachegrind");
			goto out;
		}
		if (setup_perf(r, strcmp(b, "auto") == 0))
			goto out;
	} else if (strcmp(b, "cachegrind") == 0) {
		r->backend = BK_CACHEGRIND;
		if (setup_cachegrind(r))
			goto out;
	} else {
		pb_error("unknown backend '%s': use auto, perf, cachegrind or time", b);
		goto out;
	}
	/* Output nobody reads goes to /dev/null: a pipe would cost a copy per byte. */
	r->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (r->devnull < 0) {
		pb_error_errno("cannot open /dev/null");
		goto out;
	}
	*out = r;
	r = NULL;
	ret = 0;
out:
	pb_runner_free(r);
	return ret;
}

void pb_runner_free(struct pb_runner *r)
{
	size_t i;

	if (!r)
		return;
	pb_counters_free(r->counters);
	free(r->vals);
	free(r->warned);
	free(r->noted);
	free(r->refused);
	if (r->have_re)
		regfree(&r->re);
	free(r->harness_path);
	free(r->base_vals);
	free(r->env);
	free(r->pad);
	pb_cg_result_release(&r->cg_last);
	free(r->fallback);
	if (r->devnull >= 0)
		close(r->devnull);
	for (i = 0; i < r->n_fail; i++)
		free(r->fail[i].reason);
	free(r->fail);
	free(r->last_fail);
	free(r->setup_failed);
	free(r->setup_tail);
	free(r);
}

const char *pb_runner_backend(const struct pb_runner *r)
{
	if (r->backend == BK_PERF)
		return r->sw_only ? "perf (software events only)" : "perf";
	return r->backend == BK_TIME ? "time" : "cachegrind";
}

const char *pb_runner_metric(const struct pb_runner *r)
{
	return r->metric_name;
}

long pb_runner_runs(const struct pb_runner *r)
{
	return r->runs;
}

long pb_runner_warmups(const struct pb_runner *r)
{
	return r->warmups;
}

static char *join_argv(const char *const *argv)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			pb_buf_putc(&b, ' ');
		if (argv[i][0] && strcspn(argv[i], " \t\"'\\$`") == strlen(argv[i])) {
			pb_buf_puts(&b, argv[i]);
		} else {
			const char *p;

			pb_buf_putc(&b, '\'');
			for (p = argv[i]; *p; p++) {
				if (*p == '\'')
					pb_buf_puts(&b, "'\\''");
				else
					pb_buf_putc(&b, *p);
			}
			pb_buf_putc(&b, '\'');
		}
	}
	return pb_buf_detach(&b);
}

void pb_runner_begin(struct pb_runner *r, struct pb_measurement *m)
{
	struct pb_system sys;

	free(m->benchmark);
	free(m->command);
	free(m->commit);
	free(m->backend);
	free(m->metric);
	free(m->unit);
	m->benchmark = r->o->name ? pb_xstrdup(r->o->name) : NULL;
	m->command = r->o->shell ? pb_xstrdup(r->o->shell) : join_argv(r->o->argv);
	m->commit = r->o->commit ? pb_xstrdup(r->o->commit) : NULL;
	m->backend = pb_xstrdup(pb_runner_backend(r));
	m->metric = pb_xstrdup(r->metric_name);
	m->unit = pb_xstrdup(pb_runner_metric_unit(r));
	pb_system_probe(&sys, NULL);
	pb_json_free(m->system);
	m->system = pb_system_measurement_json(&sys, r->pinned ? r->cpus_desc : NULL, r->o->env_pad);
	pb_system_release(&sys);
	if (r->fallback)
		pb_measurement_add_warning(m, r->fallback);
	if (r->refused)
		pb_measurement_add_warning(m, r->refused);
	if (r->o->baseline && r->backend != BK_CACHEGRIND && !m->baseline_command) {
		/* Timed start-up varies run to run: subtracting one sample of it would add noise. */
		char *msg = pb_xasprintf("baseline `%s` not used: it is subtracted from exact "
					 "(cachegrind) counts only; with backend %s the start-up stays in",
					 r->o->baseline, pb_runner_backend(r));

		pb_note("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
}


const char *pb_runner_last_failure(const struct pb_runner *r)
{
	return r->last_fail;
}
