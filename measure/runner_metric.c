/* runner_metric.c: from a finished run to the metric's value (wall, cpu, a counter, stdout, a harness file),
 * and the measurement's derived metrics and simulated functions. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "measure/runner_impl.h"

int pb_runner_setup_metric(struct pb_runner *r)
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
	} else if (pb_harness_from_name(m) != PB_HARNESS_NONE) {
		r->metric = MK_HARNESS;
		r->harness = pb_harness_from_name(m);
		if (!o->parse_file)
			return pb_error("metric %s needs parse.file: the JSON file the benchmark writes "
					"(%s)", m, r->harness == PB_HARNESS_PYPERF ? "pyperf's -o FILE" :
					r->harness == PB_HARNESS_HYPERFINE ? "hyperfine's --export-json FILE" :
					"--benchmark_out=FILE --benchmark_out_format=json");
	} else {
		r->metric = MK_COUNTER;
	}
	/* The file the benchmark writes, whatever the metric: removed before each run, so that a
	 * harness refusing to overwrite its output (pyperf -o) runs under --metric cpu too. */
	if (o->parse_file && o->parse_file[0] != '/' && o->cwd)
		r->harness_path = pb_xasprintf("%s/%s", o->cwd, o->parse_file);
	else if (o->parse_file)
		r->harness_path = pb_xstrdup(o->parse_file);
	return 0;
}

const char *pb_runner_metric_unit(const struct pb_runner *r)
{
	switch (r->metric) {
	case MK_WALL:
	case MK_CPU:
		return "ns";
	case MK_HARNESS:
		return r->harness_unit ? r->harness_unit : "ns"; /* times are converted to ns */
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

/*
 * The metric from the benchmark's stdout (`truncated`: it went on past the capture limit, and
 * only its first out->len bytes are here); 0, or -1 with the reason in why.
 */
static int parse_stdout(struct pb_runner *r, const struct pb_buf *out, bool truncated, double *v,
			struct pb_buf *why)
{
	regmatch_t mt[2];
	char *s;
	int rc;

	if (regexec(&r->re, out->data ? out->data : "", 2, mt, 0) != 0 && truncated) {
		pb_buf_printf(why, "no match for parse.regex '%s' in the benchmark's output, which was "
			      "cut at %zu bytes (placebisect keeps the first %zu bytes of stdout): print "
			      "the metric within them, or send the rest of the output to stderr or a file",
			      r->o->parse_regex, out->len, out->len);
		return -1;
	}
	if (regexec(&r->re, out->data ? out->data : "", 2, mt, 0) != 0) {
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

/* The samples of the harness file at `path`; 0, or -1 with the reason in why. */
static int read_harness(const char *path, enum pb_harness h, const struct pb_harness_opts *ho,
			struct pb_harness_samples *s, struct pb_buf *why)
{
	struct pb_json *doc = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	if (access(path, F_OK) != 0) {
		pb_buf_printf(why, "the benchmark wrote no %s file at %s", pb_harness_name(h), path);
		return -1;
	}
	if (pb_json_parse_file(&doc, path)) {
		pb_buf_printf(why, "%s", pb_error_message());
		pb_error_clear();
		return -1;
	}
	ret = pb_harness_samples(s, doc, h, ho, path, why);
	pb_json_free(doc);
	return ret;
}

int pb_runner_read_pyperf(const char *path, double **vals, size_t *n, struct pb_buf *why)
{
	struct pb_harness_samples s;

	*vals = NULL;
	*n = 0;
	if (read_harness(path, PB_HARNESS_PYPERF, NULL, &s, why))
		return -1;
	*vals = s.values;
	*n = s.n;
	s.values = NULL;
	pb_harness_samples_release(&s);
	return 0;
}

/* One process, one sample: the mean of the values the harness wrote in this run. */
static int harness_value(struct pb_runner *r, double *v, struct pb_buf *why)
{
	struct pb_harness_opts ho = { r->o->parse_benchmark, r->o->parse_time };
	struct pb_harness_samples s;
	double sum = 0;
	size_t i;

	if (read_harness(r->harness_path, r->harness, &ho, &s, why))
		return -1;
	for (i = 0; i < s.n; i++)
		sum += s.values[i];
	*v = sum / (double)s.n;
	r->harness_unit = s.unit;
	pb_harness_samples_release(&s);
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

int pb_runner_value(struct pb_runner *r, const struct pb_proc_result *res, double *value,
		    struct pb_buf *why)
{
	switch (r->metric) {
	case MK_WALL:
		*value = (double)res->wall_ns;
		return 0;
	case MK_CPU:
		*value = (double)(res->user_ns + res->sys_ns);
		return 0;
	case MK_COUNTER:
		return counter_value(r, value, why);
	case MK_STDOUT:
		return parse_stdout(r, &res->out, res->out_truncated, value, why);
	case MK_HARNESS:
		return harness_value(r, value, why);
	}
	return 0;
}

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

void pb_runner_derive(struct pb_measurement *m)
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
