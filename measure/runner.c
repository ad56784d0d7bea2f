/* runner.c: warmups and recorded runs of a benchmark, pinned, timed, under the perf, cachegrind or time backend. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cpus.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/util.h"
#include "measure/contention.h"
#include "measure/cachegrind.h"
#include "measure/counters.h"
#include "measure/runner.h"
#include "measure/system.h"

const char *const pb_runner_metrics[] = { "wall", "cpu", "instructions", "cycles", "est_cycles",
					  "stdout", "pyperf", NULL };

static const char *const default_events[] = { "cycles", "instructions", "L1-ICACHE-LOAD-MISSES",
					       "ITLB-LOAD-MISSES", NULL };
/* Counted with every perf measurement, as perf stat does: cheap and always there. */
static const char *const always_events[] = { "task-clock", "context-switches", "page-faults", NULL };

/* valgrind runs the program some 20-100 times slower; the per-run timeout stretches with it. */
#define CACHEGRIND_SLOWDOWN 50.0

enum backend { BK_TIME, BK_PERF, BK_CACHEGRIND };
enum metric { MK_WALL, MK_CPU, MK_COUNTER, MK_STDOUT, MK_PYPERF };

/* Why runs failed: one line per distinct reason, with a count. */
struct failure {
	char *reason;
	size_t count, first_run;
};

struct pb_runner {
	const struct pb_runner_opts *o;
	enum backend backend;
	enum metric metric;
	const char *metric_name; /* o->metric, or est_cycles under cachegrind for wall/cpu */
	long runs, warmups;
	double timeout;

	struct pb_counters *counters;
	struct pb_counter *vals;  /* one per counter (perf) or PB_CG_NCOUNTERS (cachegrind) */
	size_t n_vals;
	bool *warned;             /* per counter: unavailability already reported */

	cpu_set_t cpus;
	bool pinned;
	char cpus_desc[256];

	regex_t re;
	bool have_re;
	char *pyperf_path;

	const char **env;          /* o->env + PB_ENV_PAD, NULL-terminated */
	char *pad;

	struct pb_cg_geometry geo;
	struct pb_cg_result cg_last; /* the last recorded cachegrind run's functions */
	int devnull;

	size_t n_recorded;         /* recorded process runs so far, for "run N" */
	char *fallback;            /* auto without hardware counters: the warning, for m->warnings */
	struct failure *fail;
	size_t n_fail, cap_fail;
	bool warned_orphans;       /* the benchmark left processes behind (said once) */
};

/* ---- options ---- */

void pb_runner_opts_init(struct pb_runner_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->runs = 10;
	o->warmups = 1;
	o->metric = "wall";
	o->backend = "auto";
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
	o->timeout = bench->timeout;
	o->metric = bench->metric;
	o->parse_regex = bench->parse_regex;
	o->parse_file = bench->parse_file;
	o->backend = cfg->measure.backend;
	o->cpus = cfg->measure.cpus;
	o->events = (const char *const *)cfg->measure.events;
	o->env_pad = (long)cfg->measure.env_pad;
	o->cg_I1 = cfg->measure.cg_I1;
	o->cg_D1 = cfg->measure.cg_D1;
	o->cg_LL = cfg->measure.cg_LL;
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

static int setup_metric(struct pb_runner *r)
{
	const struct pb_runner_opts *o = r->o;
	const char *m = o->metric ? o->metric : "wall";
	char msg[256];
	int rc;

	r->metric_name = m;
	if (strcmp(m, "wall") == 0) {
		r->metric = MK_WALL;
	} else if (strcmp(m, "cpu") == 0) {
		r->metric = MK_CPU;
	} else if (strcmp(m, "stdout") == 0) {
		r->metric = MK_STDOUT;
		if (!o->parse_regex)
			return pb_error("metric stdout needs parse.regex: a POSIX extended regex whose "
					"first group captures the number, e.g. \"time: ([0-9.]+) ms\"");
		rc = regcomp(&r->re, o->parse_regex, REG_EXTENDED);
		if (rc) {
			regerror(rc, &r->re, msg, sizeof(msg));
			return pb_error("parse.regex '%s': %s", o->parse_regex, msg);
		}
		r->have_re = true;
		if (r->re.re_nsub < 1)
			return pb_error("parse.regex '%s' has no group: put the number in parentheses, "
					"e.g. \"([0-9.]+) ms\"", o->parse_regex);
	} else if (strcmp(m, "pyperf") == 0) {
		r->metric = MK_PYPERF;
		if (!o->parse_file)
			return pb_error("metric pyperf needs parse.file: the JSON file the benchmark writes "
					"(pyperf's -o FILE)");
		if (o->parse_file[0] != '/' && o->cwd)
			r->pyperf_path = pb_xasprintf("%s/%s", o->cwd, o->parse_file);
		else
			r->pyperf_path = pb_xstrdup(o->parse_file);
	} else {
		r->metric = MK_COUNTER;
	}
	return 0;
}

/* The perf event list: asked-for (or default) events, the metric's counter, and the software ones. */
static const char **perf_events(struct pb_runner *r, bool hardware)
{
	const char *const *asked = r->o->events && r->o->events[0] ? r->o->events : default_events;
	const char **ev;
	size_t n = 0, i;

	for (i = 0; asked[i]; i++)
		n++;
	ev = pb_xcalloc(n + 8, sizeof(*ev));
	n = 0;
	if (hardware)
		for (i = 0; asked[i]; i++)
			ev[n++] = asked[i];
	if (r->metric == MK_COUNTER && !in_list(r->metric_name, ev))
		ev[n++] = r->metric_name;
	for (i = 0; always_events[i]; i++)
		if (!in_list(always_events[i], ev))
			ev[n++] = always_events[i];
	return ev;
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
	const char **ev = NULL;
	char *reason = NULL;
	size_t n_hw, opened, i;
	int hw, ret = -1;

	/* Hardware counters at all? One probe of cycles decides auto's fallback. */
	hw = pb_counters_probe("cycles", &why);
	if (hw < 0)
		goto out;
	if (hw == 1 || !is_auto) {
		ev = perf_events(r, true);
		if (pb_counters_new(&r->counters, ev))
			goto out;
		opened = probe_hardware(r, &n_hw, &reason);
		if (n_hw > 0 && opened == 0) {
			pb_error_as(PB_EXIT_ENV, "--backend perf: no hardware counter opens here (%s); "
				    "use --backend cachegrind for exact simulated counts, or --backend "
				    "time", reason);
			goto out;
		}
	} else {
		if (r->metric == MK_COUNTER && !in_list(r->metric_name, pb_counters_software_events)) {
			pb_error_as(PB_EXIT_ENV, "metric '%s' needs hardware counters, which this machine "
				    "does not have (cycles: %s); --backend cachegrind gives instructions "
				    "and est_cycles exactly", r->metric_name, why.data);
			goto out;
		}
		r->fallback = pb_xasprintf("no hardware counters here (cycles: %s); counting software "
					   "events and clocks only; `--backend cachegrind` gives exact "
					   "simulated instruction and cache counts", why.data);
		pb_warn("%s", r->fallback);
		ev = perf_events(r, false);
		if (pb_counters_new(&r->counters, ev))
			goto out;
	}
	r->n_vals = pb_counters_count(r->counters);
	r->vals = pb_xcalloc(r->n_vals, sizeof(*r->vals));
	r->warned = pb_xcalloc(r->n_vals, sizeof(*r->warned));
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
		pb_note("cachegrind is exact and repeatable: one run, no warmup (asked: %ld runs, %ld "
			"warmups)", r->runs, r->warmups);
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
	r->timeout = r->o->timeout * CACHEGRIND_SLOWDOWN;
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
	if (setup_metric(r) || setup_cpus(r) || setup_env(r))
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
	if (r->have_re)
		regfree(&r->re);
	free(r->pyperf_path);
	free(r->env);
	free(r->pad);
	pb_cg_result_release(&r->cg_last);
	free(r->fallback);
	if (r->devnull >= 0)
		close(r->devnull);
	for (i = 0; i < r->n_fail; i++)
		free(r->fail[i].reason);
	free(r->fail);
	free(r);
}

const char *pb_runner_backend(const struct pb_runner *r)
{
	return r->backend == BK_TIME ? "time" : r->backend == BK_PERF ? "perf" : "cachegrind";
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

static const char *metric_unit(const struct pb_runner *r)
{
	switch (r->metric) {
	case MK_WALL:
	case MK_CPU:
		return "ns";
	case MK_PYPERF:
		return "s"; /* pyperf stores seconds */
	case MK_STDOUT:
		return "value";
	case MK_COUNTER:
		break;
	}
	if (strcmp(r->metric_name, "est_cycles") == 0 || strcmp(r->metric_name, "cycles") == 0)
		return "cycles";
	if (strcmp(r->metric_name, "instructions") == 0 || strcmp(r->metric_name, "Ir") == 0)
		return "instructions";
	return "events";
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
	m->unit = pb_xstrdup(metric_unit(r));
	pb_system_probe(&sys, NULL);
	pb_json_free(m->system);
	m->system = pb_system_measurement_json(&sys, r->pinned ? r->cpus_desc : NULL, r->o->env_pad);
	pb_system_release(&sys);
	if (r->fallback)
		pb_measurement_add_warning(m, r->fallback);
}

/* ---- one run ---- */

static void add_failure(struct pb_runner *r, const char *reason)
{
	size_t i;

	for (i = 0; i < r->n_fail; i++)
		if (strcmp(r->fail[i].reason, reason) == 0) {
			r->fail[i].count++;
			return;
		}
	pb_xgrow((void **)&r->fail, &r->cap_fail, r->n_fail + 1, sizeof(*r->fail));
	r->fail[r->n_fail].reason = pb_xstrdup(reason);
	r->fail[r->n_fail].count = 1;
	r->fail[r->n_fail].first_run = r->n_recorded;
	r->n_fail++;
}

/* The metric from the benchmark's stdout; 0, or -1 with the reason in why. */
static int parse_stdout(struct pb_runner *r, const struct pb_buf *out, double *v, struct pb_buf *why)
{
	regmatch_t mt[2];
	char *s;
	int rc;

	if (regexec(&r->re, out->data, 2, mt, 0) != 0) {
		pb_buf_printf(why, "no match for parse.regex '%s' in the benchmark's output",
			      r->o->parse_regex);
		return -1;
	}
	if (mt[1].rm_so < 0) {
		pb_buf_printf(why, "parse.regex '%s' matched but its first group did not",
			      r->o->parse_regex);
		return -1;
	}
	s = pb_xstrndup(out->data + mt[1].rm_so, (size_t)(mt[1].rm_eo - mt[1].rm_so));
	rc = pb_parse_double(s, v);
	if (rc)
		pb_buf_printf(why, "parse.regex captured '%.40s', which is not a number", s);
	free(s);
	return rc;
}

int pb_runner_read_pyperf(const char *path, double **vals, size_t *n, struct pb_buf *why)
{
	struct pb_json *doc = NULL, *bench, *run, *v;
	size_t cap = 0;

	*vals = NULL;
	*n = 0;
	if (access(path, F_OK) != 0) {
		pb_buf_printf(why, "the benchmark wrote no pyperf file at %s", path);
		return -1;
	}
	if (pb_json_parse_file(&doc, path)) {
		pb_buf_printf(why, "%s", pb_error_message());
		pb_error_clear();
		return -1;
	}
	for (bench = pb_json_child(pb_json_get(doc, "benchmarks")); bench; bench = pb_json_next(bench))
		for (run = pb_json_child(pb_json_get(bench, "runs")); run; run = pb_json_next(run))
			for (v = pb_json_child(pb_json_get(run, "values")); v; v = pb_json_next(v)) {
				if (pb_json_type(v) != PB_JSON_NUMBER)
					continue;
				pb_xgrow((void **)vals, &cap, *n + 1, sizeof(**vals));
				(*vals)[(*n)++] = pb_json_number(v, 0);
			}
	pb_json_free(doc);
	if (*n == 0) {
		pb_buf_printf(why, "%s has no benchmarks[].runs[].values[] (not a pyperf result?)", path);
		return -1;
	}
	return 0;
}

/* Counter metric value from r->vals; 0, or -1 with why. */
static int counter_value(struct pb_runner *r, double *v, struct pb_buf *why)
{
	size_t i;

	for (i = 0; i < r->n_vals; i++) {
		if (strcmp(r->vals[i].name, r->metric_name) != 0)
			continue;
		*v = r->vals[i].value;
		if (isnan(*v)) {
			pb_buf_printf(why, "counter '%s' not counted: %s", r->metric_name,
				      r->counters && pb_counters_reason(r->counters, i)
					      ? pb_counters_reason(r->counters, i) : "unavailable");
			return -1;
		}
		return 0;
	}
	pb_buf_printf(why, "counter '%s' missing", r->metric_name);
	return -1;
}

static void warn_unavailable(struct pb_runner *r, struct pb_measurement *m)
{
	size_t i;
	const char *why;
	char *msg;

	if (!r->counters)
		return;
	for (i = 0; i < r->n_vals; i++) {
		why = pb_counters_reason(r->counters, i);
		if (why && !r->warned[i]) {
			r->warned[i] = true;
			msg = pb_xasprintf("event %s: %s", pb_counters_name(r->counters, i), why);
			pb_warn("%s", msg);
			pb_measurement_add_warning(m, msg);
			free(msg);
		}
	}
}

/* Make a directory for cachegrind's output files; caller frees the path. */
static char *cg_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = pb_xasprintf("%s/placebisect-cg.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir)) {
		pb_error_errno("cannot create a temporary directory %s", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void rm_cg_dir(const char *dir)
{
	struct dirent *de;
	char *p;
	DIR *d = opendir(dir);

	/* Only valgrind's output files are in there, no subdirectories. */
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = pb_xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Append ": <the last non-empty line of err>" (shortened) to why: what the benchmark said as it failed. */
static void last_line(const struct pb_buf *err, struct pb_buf *why)
{
	size_t end = err->len, start;

	while (end > 0 && (err->data[end - 1] == '\n' || err->data[end - 1] == '\r' ||
			   err->data[end - 1] == ' '))
		end--;
	if (end == 0)
		return;
	start = end;
	while (start > 0 && err->data[start - 1] != '\n')
		start--;
	if (end - start > 160)
		start = end - 160;
	pb_buf_printf(why, ": %.*s", (int)(end - start), err->data + start);
}

static double lowest_ratio(const struct pb_counter *c, size_t n)
{
	double lo = 1.0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!isnan(c[i].value) && c[i].running_ratio < lo)
			lo = c[i].running_ratio;
	return lo;
}

/* The child is stopped before exec: the counters attach, then the caller's hook. */
static int before_exec(pid_t pid, void *arg)
{
	struct pb_runner *r = arg;

	if (r->backend == BK_PERF && pb_counters_attach(pid, r->counters))
		return -1;
	return r->o->before_exec ? r->o->before_exec(pid, r->o->hook_arg) : 0;
}

int pb_runner_run(struct pb_runner *r, struct pb_measurement *m, bool record)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	struct pb_buf why = PB_BUF_INIT;
	struct pb_cg_result cg;
	struct pb_run run;
	char **cg_argv = NULL, *cg_dir = NULL, desc[128];
	double *pv = NULL, value = NAN;
	size_t npv = 0, i;
	bool ok;
	struct pb_cpu_snapshot snap[2];
	int rc, ret = -1;

	memset(&cg, 0, sizeof(cg));
	if (r->o->stop && *r->o->stop)
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	po.cwd = r->o->cwd;
	po.env_set = r->env;
	po.cpus = r->pinned ? &r->cpus : NULL;
	po.timeout_s = r->timeout;
	po.stdout_fd = r->metric == MK_STDOUT ? -1 : r->devnull;
	/* stderr is kept (a little of it) to say why a run failed. */
	po.capture_max = r->metric == MK_STDOUT ? 0 : 64 * 1024;
	if (r->backend == BK_CACHEGRIND) {
		cg_dir = cg_tmpdir();
		if (!cg_dir)
			goto out;
		cg_argv = pb_cachegrind_argv(&r->geo, cg_dir, r->o->argv, r->o->shell);
		po.argv = (const char *const *)cg_argv;
	} else if (r->o->argv) {
		po.argv = r->o->argv;
	} else {
		po.shell = r->o->shell;
	}
	if (r->backend == BK_PERF || r->o->before_exec) {
		po.before_exec = before_exec;
		po.hook_arg = r;
	}
	if (r->metric == MK_PYPERF && unlink(r->pyperf_path) != 0 && errno != ENOENT) {
		pb_error_errno("cannot remove the previous run's pyperf file %s", r->pyperf_path);
		goto out;
	}
	pb_contention_snapshot(&snap[0]);
	rc = pb_proc_run(&po, &res);
	pb_contention_snapshot(&snap[1]);
	if (rc) {
		if (res.exec_failed) {
			/* The command as given cannot start: an input error, not the machine's. */
			char *msg = pb_xstrdup(pb_error_message());

			pb_error_as(PB_EXIT_USAGE, "%s", msg);
			free(msg);
		}
		goto out;
	}
	if (r->o->stop && *r->o->stop) {
		pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
		goto out;
	}
	if (res.orphans_killed && !r->warned_orphans) {
		/* A daemon would run on into the next runs and skew them: killed, and said once. */
		char *msg = pb_xasprintf("the benchmark left %d process%s running after it exited (a "
					 "daemon?); killed, as after every run", res.orphans_killed,
					 res.orphans_killed == 1 ? "" : "es");

		r->warned_orphans = true;
		pb_warn("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	if (r->backend == BK_PERF) {
		if (pb_counters_collect(r->counters, r->vals))
			goto out;
		warn_unavailable(r, m);
	}
	if (!record) {
		ret = 0;
		goto out;
	}
	r->n_recorded++;
	ok = res.exited && res.status == 0 && !res.timed_out;
	if (!ok) {
		pb_proc_describe(&res, r->timeout, desc, sizeof(desc));
		pb_buf_puts(&why, desc);
		last_line(&res.err, &why);
	}
	if (ok && r->backend == BK_CACHEGRIND) {
		if (pb_cachegrind_collect(cg_dir, &cg)) {
			pb_buf_puts(&why, pb_error_message());
			pb_error_clear();
			ok = false;
		} else {
			pb_cachegrind_counters(&cg, r->vals);
		}
	}
	if (ok) {
		switch (r->metric) {
		case MK_WALL:
			value = (double)res.wall_ns;
			break;
		case MK_CPU:
			value = (double)(res.user_ns + res.sys_ns);
			break;
		case MK_COUNTER:
			ok = counter_value(r, &value, &why) == 0;
			break;
		case MK_STDOUT:
			ok = parse_stdout(r, &res.out, &value, &why) == 0;
			break;
		case MK_PYPERF:
			ok = pb_runner_read_pyperf(r->pyperf_path, &pv, &npv, &why) == 0;
			break;
		}
	}
	memset(&run, 0, sizeof(run));
	run.wall_ns = res.wall_ns;
	run.user_ns = res.user_ns;
	run.sys_ns = res.sys_ns;
	run.maxrss_kb = res.maxrss_kb;
	run.exit = res.exited ? res.status : 128 + res.signal;
	run.timed_out = res.timed_out;
	run.ok = ok;
	run.value = ok ? value : NAN;
	/* A cachegrind run without its output file has no counters at all. */
	if (r->backend == BK_PERF || (r->backend == BK_CACHEGRIND && cg.files > 0)) {
		run.counters = r->vals;
		run.n_counters = r->n_vals;
	}
	run.running_ratio = lowest_ratio(run.counters, run.n_counters);
	pb_contention_fill(&run, &snap[0], &snap[1]);
	if (!ok)
		add_failure(r, why.data);
	if (ok && r->metric == MK_PYPERF) {
		/* Each value pyperf wrote is a sample; they share the process's clocks and counters. */
		for (i = 0; i < npv; i++) {
			run.value = pv[i];
			pb_measurement_add_run(m, &run);
		}
	} else {
		pb_measurement_add_run(m, &run);
	}
	if (ok && r->backend == BK_CACHEGRIND) {
		pb_cg_result_release(&r->cg_last);
		r->cg_last = cg;
		memset(&cg, 0, sizeof(cg));
	}
	ret = 0;
out:
	if (cg_dir)
		rm_cg_dir(cg_dir);
	free(cg_dir);
	pb_cachegrind_argv_free(cg_argv);
	pb_cg_result_release(&cg);
	free(pv);
	pb_buf_release(&why);
	pb_proc_result_release(&res);
	return ret;
}

/* ---- the whole measurement ---- */

/* Functions kept in a measurement: the top of the profile, not the long tail of the loader. */
#define MAX_FUNCTIONS 500

void pb_runner_keep_functions(struct pb_runner *r, struct pb_measurement *m)
{
	const struct pb_cg_result *cg = &r->cg_last;
	size_t i, n = cg->n_fns < MAX_FUNCTIONS ? cg->n_fns : MAX_FUNCTIONS;

	if (r->backend != BK_CACHEGRIND || n == 0)
		return;
	for (i = 0; i < m->n_functions; i++) {
		free(m->functions[i].name);
		free(m->functions[i].file);
	}
	free(m->functions);
	m->functions = pb_xcalloc(n, sizeof(*m->functions));
	for (i = 0; i < n && cg->fns[i].ir > 0; i++) {
		m->functions[i].name = pb_xstrdup(cg->fns[i].name);
		m->functions[i].file = cg->fns[i].file ? pb_xstrdup(cg->fns[i].file) : NULL;
		m->functions[i].ir = (double)cg->fns[i].ir;
		m->functions[i].i1mr = (double)cg->fns[i].i1mr;
	}
	m->n_functions = i;
}

/* The median of the first counter of m with `role`; NAN when none. */
static double role_median(const struct pb_measurement *m, enum pb_event_role role)
{
	size_t i, j;

	for (i = 0; i < m->n_runs; i++) {
		if (!m->runs[i].ok)
			continue;
		for (j = 0; j < m->runs[i].n_counters; j++)
			if (pb_counters_role_of(m->runs[i].counters[j].name) == role)
				return pb_measurement_counter(m, m->runs[i].counters[j].name);
		break;
	}
	return NAN;
}

static void derive(struct pb_measurement *m)
{
	double cyc = role_median(m, PB_ROLE_CYCLES), ins = role_median(m, PB_ROLE_INSTRUCTIONS);
	double ic = role_median(m, PB_ROLE_ICACHE_MISS), tlb = role_median(m, PB_ROLE_ITLB_MISS);
	double fe = role_median(m, PB_ROLE_FRONTEND_STALL);
	struct pb_derived *d = &m->derived;

	/* Only what result.c's pb_measurement_finish() left unknown. */
	if (isnan(d->ipc) && cyc > 0 && !isnan(ins))
		d->ipc = ins / cyc;
	if (isnan(d->icache_mpki) && ins > 0 && !isnan(ic))
		d->icache_mpki = ic / ins * 1000.0;
	if (isnan(d->itlb_mpki) && ins > 0 && !isnan(tlb))
		d->itlb_mpki = tlb / ins * 1000.0;
	if (isnan(d->frontend_stall_pct) && cyc > 0 && !isnan(fe))
		d->frontend_stall_pct = fe / cyc * 100.0;
}

void pb_runner_finish(struct pb_runner *r, struct pb_measurement *m)
{
	size_t i;
	char *msg;

	for (i = 0; i < r->n_fail; i++) {
		msg = pb_xasprintf("%zu of %zu runs failed: %s (first: run %zu); failed runs are not in "
				   "the summary", r->fail[i].count, r->n_recorded, r->fail[i].reason,
				   r->fail[i].first_run);
		pb_warn("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	pb_runner_keep_functions(r, m);
	pb_measurement_finish(m);
	derive(m);
}

static void progress(const struct pb_runner_opts *o, size_t i, size_t n, bool warmup)
{
	if (o->progress)
		o->progress(o->progress_arg, o->name ? o->name : "command", i, n, warmup);
}

int pb_runner_measure(const struct pb_runner_opts *o, struct pb_measurement *m)
{
	struct pb_runner *r;
	long i, total;
	int ret = -1;

	if (pb_runner_new(&r, o))
		return -1;
	pb_runner_begin(r, m);
	total = r->warmups + r->runs;
	for (i = 0; i < total; i++) {
		progress(o, (size_t)i + 1, (size_t)total, i < r->warmups);
		if (pb_runner_run(r, m, i >= r->warmups))
			goto out;
	}
	pb_runner_finish(r, m);
	ret = 0;
out:
	pb_runner_free(r);
	return ret;
}

int pb_runner_measure_ab(const struct pb_runner_opts *a, const struct pb_runner_opts *b,
			 struct pb_measurement *ma, struct pb_measurement *mb)
{
	struct pb_runner *ra = NULL, *rb = NULL;
	long i, done = 0, total;
	int ret = -1;

	if (pb_runner_new(&ra, a) || pb_runner_new(&rb, b))
		goto out;
	pb_runner_begin(ra, ma);
	pb_runner_begin(rb, mb);
	total = ra->warmups + rb->warmups + ra->runs + rb->runs;
	for (i = 0; i < ra->warmups; i++) {
		progress(a, (size_t)++done, (size_t)total, true);
		if (pb_runner_run(ra, ma, false))
			goto out;
	}
	for (i = 0; i < rb->warmups; i++) {
		progress(b, (size_t)++done, (size_t)total, true);
		if (pb_runner_run(rb, mb, false))
			goto out;
	}
	/* A B A B ...: slow drift (temperature, frequency, other load) lands on both sides. */
	for (i = 0; i < ra->runs || i < rb->runs; i++) {
		if (i < ra->runs) {
			progress(a, (size_t)++done, (size_t)total, false);
			if (pb_runner_run(ra, ma, true))
				goto out;
		}
		if (i < rb->runs) {
			progress(b, (size_t)++done, (size_t)total, false);
			if (pb_runner_run(rb, mb, true))
				goto out;
		}
	}
	pb_runner_finish(ra, ma);
	pb_runner_finish(rb, mb);
	ret = 0;
out:
	pb_runner_free(ra);
	pb_runner_free(rb);
	return ret;
}
