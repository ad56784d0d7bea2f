/* result.c: measurements in memory, their derived metrics, and the placebisect.measurement/1 file. */
#include "measure/result.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/error.h"
#include "core/util.h"

#define SCHEMA_PREFIX "placebisect."
#define SCHEMA_KIND "measurement"
#define SCHEMA_VERSION 1

void pb_measurement_init(struct pb_measurement *m)
{
	memset(m, 0, sizeof(*m));
	pb_stats_summary(NULL, 0, &m->summary);
	m->derived.ipc = m->derived.icache_mpki = NAN;
	m->derived.itlb_mpki = m->derived.frontend_stall_pct = NAN;
}

static void run_release(struct pb_run *r)
{
	size_t i;

	for (i = 0; i < r->n_counters; i++)
		free(r->counters[i].name);
	free(r->counters);
	r->counters = NULL;
	r->n_counters = 0;
}

void pb_measurement_release(struct pb_measurement *m)
{
	size_t i;

	free(m->benchmark);
	free(m->command);
	free(m->commit);
	free(m->backend);
	free(m->metric);
	free(m->unit);
	for (i = 0; i < m->n_runs; i++)
		run_release(&m->runs[i]);
	free(m->runs);
	pb_json_free(m->system);
	for (i = 0; m->warnings && m->warnings[i]; i++)
		free(m->warnings[i]);
	free(m->warnings);
	for (i = 0; i < m->n_functions; i++) {
		free(m->functions[i].name);
		free(m->functions[i].file);
	}
	free(m->functions);
	free(m->baseline_command);
	for (i = 0; i < m->n_baseline_counters; i++)
		free(m->baseline_counters[i].name);
	free(m->baseline_counters);
	pb_measurement_init(m);
}

void pb_measurement_set_baseline(struct pb_measurement *m, const char *command, double value,
				 const struct pb_counter *counters, size_t n)
{
	size_t i;

	free(m->baseline_command);
	for (i = 0; i < m->n_baseline_counters; i++)
		free(m->baseline_counters[i].name);
	free(m->baseline_counters);
	m->baseline_command = pb_xstrdup(command);
	m->baseline_value = value;
	m->baseline_counters = n ? pb_xcalloc(n, sizeof(*counters)) : NULL;
	for (i = 0; i < n; i++) {
		m->baseline_counters[i] = counters[i];
		m->baseline_counters[i].name = pb_xstrdup(counters[i].name);
	}
	m->n_baseline_counters = n;
}

struct pb_run *pb_measurement_add_run(struct pb_measurement *m, const struct pb_run *run)
{
	struct pb_run *r;
	size_t i;

	m->runs = pb_xrealloc(m->runs, (m->n_runs + 1) * sizeof(*m->runs));
	r = &m->runs[m->n_runs++];
	*r = *run;
	r->counters = run->n_counters ? pb_xcalloc(run->n_counters, sizeof(*r->counters)) : NULL;
	for (i = 0; i < run->n_counters; i++) {
		r->counters[i] = run->counters[i];
		r->counters[i].name = pb_xstrdup(run->counters[i].name);
	}
	return r;
}

void pb_measurement_add_warning(struct pb_measurement *m, const char *text)
{
	size_t n = 0;

	while (m->warnings && m->warnings[n])
		n++;
	m->warnings = pb_xrealloc(m->warnings, (n + 2) * sizeof(*m->warnings));
	m->warnings[n] = pb_xstrdup(text);
	m->warnings[n + 1] = NULL;
}

double *pb_measurement_values(const struct pb_measurement *m, size_t *n)
{
	double *v = pb_xmalloc((m->n_runs ? m->n_runs : 1) * sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < m->n_runs; i++)
		if (m->runs[i].ok && isfinite(m->runs[i].value))
			v[(*n)++] = m->runs[i].value;
	return v;
}

/*
 * Counter names as people and tools spell them differ in case and separators
 * ("L1-icache-load-misses", "L1-ICACHE-LOAD-MISSES", "idq_uops_not_delivered.core"): compare
 * case-insensitively with '.' read as ':' and '-' as '_'.
 */
static int fold(int c)
{
	c = tolower((unsigned char)c);
	return c == '.' ? ':' : c == '-' ? '_' : c;
}

/* `pat` may end in ":*": any unit masks after the event name ("L1_ITLB_MISS_L2_ITLB_MISS:IF4K"). */
static bool name_eq(const char *a, const char *pat)
{
	for (; *a && *pat; a++, pat++) {
		if (pat[0] == ':' && pat[1] == '*' && !pat[2])
			return fold(*a) == ':';
		if (fold(*a) != fold(*pat))
			return false;
	}
	return *a == *pat || (!*a && strcmp(pat, ":*") == 0);
}

/* Median over ok runs of the first counter matching `name` (folded when `loose`). */
static double counter_median(const struct pb_measurement *m, const char *name, bool loose)
{
	double *v = pb_xmalloc((m->n_runs ? m->n_runs : 1) * sizeof(*v)), med;
	size_t i, j, n = 0;

	for (i = 0; i < m->n_runs; i++) {
		const struct pb_run *r = &m->runs[i];

		if (!r->ok)
			continue;
		for (j = 0; j < r->n_counters; j++) {
			bool same = loose ? name_eq(r->counters[j].name, name)
					  : strcmp(r->counters[j].name, name) == 0;

			if (same) {
				if (isfinite(r->counters[j].value))
					v[n++] = r->counters[j].value;
				break;
			}
		}
	}
	med = n ? pb_stats_median(v, n) : NAN;
	free(v);
	return med;
}

void pb_measurement_range(const struct pb_measurement *m, double *lo, double *hi)
{
	size_t i;

	*lo = *hi = NAN;
	for (i = 0; i < m->n_runs; i++) {
		if (!m->runs[i].ok || isnan(m->runs[i].value))
			continue;
		if (isnan(*lo) || m->runs[i].value < *lo)
			*lo = m->runs[i].value;
		if (isnan(*hi) || m->runs[i].value > *hi)
			*hi = m->runs[i].value;
	}
}

void pb_measurement_cpu_split(const struct pb_measurement *m, double *user_ns, double *sys_ns)
{
	double *u = pb_xmalloc((m->n_runs ? m->n_runs : 1) * sizeof(*u));
	double *s = pb_xmalloc((m->n_runs ? m->n_runs : 1) * sizeof(*s));
	size_t i, n = 0;
	bool any = false;

	for (i = 0; i < m->n_runs; i++) {
		if (!m->runs[i].ok)
			continue;
		u[n] = (double)m->runs[i].user_ns;
		s[n++] = (double)m->runs[i].sys_ns;
		any = any || m->runs[i].user_ns > 0 || m->runs[i].sys_ns > 0;
	}
	*user_ns = any ? pb_stats_median(u, n) : NAN;
	*sys_ns = any ? pb_stats_median(s, n) : NAN;
	free(u);
	free(s);
}

double pb_measurement_counter(const struct pb_measurement *m, const char *name)
{
	return counter_median(m, name, false);
}

/* The first of `names` with a value, scaled by the matching entry of `scale` (may be NULL). */
static double first_counter(const struct pb_measurement *m, const char *const *names,
			    const double *scale)
{
	double v;
	size_t i;

	for (i = 0; names[i]; i++) {
		v = counter_median(m, names[i], true);
		if (isfinite(v))
			return scale ? v / scale[i] : v;
	}
	return NAN;
}

/*
 * Derived metrics, from the medians of the counters over the ok runs:
 *   ipc                = instructions / cycles
 *   icache_mpki        = 1000 * L1i misses / instructions (cachegrind: I1mr / Ir)
 *   itlb_mpki          = 1000 * iTLB misses / instructions
 *   frontend_stall_pct = 100 * frontend-bound slots / cycles, the slot count per cycle depending
 *     on the core: Intel's top-down Frontend_Bound = IDQ_UOPS_NOT_DELIVERED.CORE / (4 * cycles)
 *     (Yasin, "A Top-Down Method for Performance Analysis", ISPASS 2014); AMD Zen 4's PPR
 *     frontend bound = DISPATCH_STALLS_1.FE_NO_OPS / (6 * cycles); Zen 2 has no slot counter and
 *     UOPS_QUEUE_EMPTY / cycles is the share of cycles the op queue ran dry; perf's generic
 *     stalled-cycles-frontend / cycles is the seed's "frontend cycles idle".
 * NAN when the counters at hand do not allow it.
 */
static void derive(struct pb_measurement *m)
{
	static const char *const cycles[] = { "cycles", "cpu-cycles", "PERF_COUNT_HW_CPU_CYCLES", NULL };
	static const char *const instr[] = { "instructions", "PERF_COUNT_HW_INSTRUCTIONS", "Ir", NULL };
	static const char *const icache[] = { "L1-ICACHE-LOAD-MISSES", "ICACHE_64B:IFTAG_MISS",
					      "IC_TAG_HIT_MISS:IC_MISS", "I1mr", NULL };
	static const char *const itlb[] = { "ITLB-LOAD-MISSES", "ITLB_MISSES:WALK_COMPLETED",
					    "L1_ITLB_MISS_L2_ITLB_MISS:*", NULL };
	static const char *const fe[] = { "IDQ_UOPS_NOT_DELIVERED:CORE", "DISPATCH_STALLS_1:FE_NO_OPS",
					  "UOPS_QUEUE_EMPTY", "stalled-cycles-frontend", NULL };
	static const double fe_slots[] = { 4, 6, 1, 1 };
	double cyc = first_counter(m, cycles, NULL), ins = first_counter(m, instr, NULL);
	double ic = first_counter(m, icache, NULL), tlb = first_counter(m, itlb, NULL);
	double stall = first_counter(m, fe, fe_slots);

	m->derived.ipc = cyc > 0 ? ins / cyc : NAN;
	m->derived.icache_mpki = ins > 0 ? 1000 * ic / ins : NAN;
	m->derived.itlb_mpki = ins > 0 ? 1000 * tlb / ins : NAN;
	m->derived.frontend_stall_pct = cyc > 0 ? 100 * stall / cyc : NAN;
}

void pb_measurement_finish(struct pb_measurement *m)
{
	double *v;
	size_t n, i;

	m->n_failed = 0;
	for (i = 0; i < m->n_runs; i++)
		if (!m->runs[i].ok)
			m->n_failed++;
	v = pb_measurement_values(m, &n);
	pb_stats_summary(v, n, &m->summary);
	free(v);
	derive(m);
}

/* ---- writing ---- */

static void write_run(const struct pb_run *r, struct pb_jsonw *w)
{
	bool multiplexed = false;
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_bool(w, "ok", r->ok);
	pb_jsonw_number(w, "value", r->value);
	pb_jsonw_int(w, "wall_ns", r->wall_ns);
	pb_jsonw_int(w, "user_ns", r->user_ns);
	pb_jsonw_int(w, "sys_ns", r->sys_ns);
	pb_jsonw_int(w, "maxrss_kb", r->maxrss_kb);
	pb_jsonw_int(w, "exit", r->exit);
	pb_jsonw_bool(w, "timed_out", r->timed_out);
	/* Recorded by the runner only (start_mono_ns set): a run built in memory has none. */
	if (r->start_mono_ns) {
		pb_jsonw_int(w, "start_mono_ns", r->start_mono_ns);
		pb_jsonw_int(w, "start_real_us", r->start_real_us);
		if (r->other_busy_ns >= 0) {
			pb_jsonw_int(w, "other_busy_ns", r->other_busy_ns);
			pb_jsonw_int(w, "steal_ns", r->steal_ns);
		}
		if (isfinite(r->load1))
			pb_jsonw_number(w, "load1", r->load1);
	}
	pb_jsonw_object(w, "counters");
	for (i = 0; i < r->n_counters; i++) {
		pb_jsonw_number(w, r->counters[i].name, r->counters[i].value);
		multiplexed |= r->counters[i].running_ratio != 1;
	}
	pb_jsonw_end(w);
	pb_jsonw_number(w, "running_ratio", r->running_ratio);
	/* Per-counter ratios only when some counter was multiplexed: the common case stays short. */
	if (multiplexed) {
		pb_jsonw_object(w, "counter_running_ratio");
		for (i = 0; i < r->n_counters; i++)
			pb_jsonw_number(w, r->counters[i].name, r->counters[i].running_ratio);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

void pb_summary_write(const struct pb_summary *s, struct pb_jsonw *w, const char *key)
{
	pb_jsonw_object(w, key);
	pb_summary_write_members(s, w);
	pb_jsonw_end(w);
}

void pb_summary_write_members(const struct pb_summary *s, struct pb_jsonw *w)
{
	pb_jsonw_int(w, "n", (int64_t)s->n);
	pb_jsonw_number(w, "median", s->median);
	pb_jsonw_number(w, "mean", s->mean);
	pb_jsonw_number(w, "stdev", s->stdev);
	pb_jsonw_array(w, "ci95");
	pb_jsonw_number(w, NULL, s->ci95[0]);
	pb_jsonw_number(w, NULL, s->ci95[1]);
	pb_jsonw_end(w);
	pb_jsonw_number(w, "min", s->min);
	pb_jsonw_number(w, "max", s->max);
	pb_jsonw_int(w, "outliers", (int64_t)s->outliers);
	pb_jsonw_bool(w, "unstable", s->unstable);
	pb_jsonw_bool(w, "too_few", s->too_few);
}

void pb_measurement_write_key(const struct pb_measurement *m, struct pb_jsonw *w, const char *key)
{
	const struct pb_derived *d = &m->derived;
	size_t i;

	pb_jsonw_object(w, key);
	pb_jsonw_string(w, "schema", PB_MEASUREMENT_SCHEMA);
	pb_jsonw_string(w, "benchmark", m->benchmark);
	pb_jsonw_string(w, "command", m->command);
	pb_jsonw_string(w, "commit", m->commit);
	pb_jsonw_string(w, "backend", m->backend);
	pb_jsonw_string(w, "metric", m->metric);
	pb_jsonw_string(w, "unit", m->unit);
	if (m->system) {
		pb_jsonw_value(w, "system", m->system);
	} else {
		pb_jsonw_object(w, "system");
		pb_jsonw_end(w);
	}
	pb_jsonw_int(w, "n_failed", (int64_t)m->n_failed);
	pb_jsonw_array(w, "runs");
	for (i = 0; i < m->n_runs; i++)
		write_run(&m->runs[i], w);
	pb_jsonw_end(w);
	pb_summary_write(&m->summary, w, "summary");
	pb_jsonw_object(w, "derived");
	if (isfinite(d->ipc))
		pb_jsonw_number(w, "ipc", d->ipc);
	if (isfinite(d->icache_mpki))
		pb_jsonw_number(w, "icache_mpki", d->icache_mpki);
	if (isfinite(d->itlb_mpki))
		pb_jsonw_number(w, "itlb_mpki", d->itlb_mpki);
	if (isfinite(d->frontend_stall_pct))
		pb_jsonw_number(w, "frontend_stall_pct", d->frontend_stall_pct);
	pb_jsonw_end(w);
	pb_jsonw_array(w, "warnings");
	for (i = 0; m->warnings && m->warnings[i]; i++)
		pb_jsonw_string(w, NULL, m->warnings[i]);
	pb_jsonw_end(w);
	if (m->n_functions) {
		pb_jsonw_array(w, "functions");
		for (i = 0; i < m->n_functions; i++) {
			const struct pb_function_cost *f = &m->functions[i];

			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "name", f->name);
			if (f->file)
				pb_jsonw_string(w, "file", f->file);
			pb_jsonw_number(w, "Ir", f->ir);
			pb_jsonw_number(w, "I1mr", f->i1mr);
			pb_jsonw_end(w);
		}
		pb_jsonw_end(w);
	}
	if (m->baseline_command) {
		pb_jsonw_object(w, "baseline");
		pb_jsonw_string(w, "command", m->baseline_command);
		pb_jsonw_number(w, "value", m->baseline_value);
		pb_jsonw_object(w, "counters");
		for (i = 0; i < m->n_baseline_counters; i++)
			pb_jsonw_number(w, m->baseline_counters[i].name, m->baseline_counters[i].value);
		pb_jsonw_end(w);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

void pb_measurement_write(const struct pb_measurement *m, struct pb_jsonw *w)
{
	pb_measurement_write_key(m, w, NULL);
}

int pb_measurement_save(const struct pb_measurement *m, const char *path)
{
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret;

	pb_jsonw_init(&w, &out, false);
	pb_measurement_write(m, &w);
	pb_jsonw_finish(&w);
	ret = pb_atomic_write(path, out.data, out.len);
	pb_buf_release(&out);
	return ret;
}

/* ---- reading ---- */

/*
 * `doc` must be an object whose "schema" is placebisect.<kind>/<v> with 1 <= v <= version. Errors
 * name the file and what was found instead.
 */
static int check_schema(const struct pb_json *doc, const char *name, const char *kind, int version)
{
	const struct pb_json *sv = pb_json_get(doc, "schema");
	const char *s = pb_json_string(sv, NULL), *slash;
	size_t plen = strlen(SCHEMA_PREFIX), klen = strlen(kind);
	int64_t found;

	if (pb_json_type(doc) != PB_JSON_OBJECT)
		return pb_error("%s: not a placebisect %s file (the document is %s, expected an object "
				"with \"schema\": \"%s%s/%d\")", name, kind,
				pb_json_type_name(pb_json_type(doc)), SCHEMA_PREFIX, kind, version);
	if (!sv)
		return pb_error("%s: not a placebisect %s file (no \"schema\" key; expected \"%s%s/%d\")",
				name, kind, SCHEMA_PREFIX, kind, version);
	if (!s)
		return pb_error("%s: schema: expected a string, got %s", name,
				pb_json_type_name(pb_json_type(sv)));
	slash = strrchr(s, '/');
	if (strncmp(s, SCHEMA_PREFIX, plen) != 0 || !slash)
		return pb_error("%s: schema \"%s\" is not a placebisect schema (expected \"%s%s/%d\")",
				name, s, SCHEMA_PREFIX, kind, version);
	if ((size_t)(slash - s) != plen + klen || strncmp(s + plen, kind, klen) != 0)
		return pb_error("%s: is a %.*s file (schema \"%s\"), not a %s (\"%s%s/%d\")", name,
				(int)(slash - s - (ptrdiff_t)plen), s + plen, s, kind, SCHEMA_PREFIX, kind,
				version);
	if (pb_parse_i64(slash + 1, 1, INT32_MAX, &found))
		return pb_error("%s: schema \"%s\" has no valid version number", name, s);
	if (found > version)
		return pb_error("%s: schema \"%s\" is newer than this placebisect reads (\"%s%s/%d\"); "
				"upgrade placebisect", name, s, SCHEMA_PREFIX, kind, version);
	return 0;
}

/* Where a value sits, for messages: "a.json: runs[3].wall_ns". */
struct where {
	const char *name;
	const char *ctx; /* "" or "runs[3]." */
};

static int type_error(const struct where *at, const char *key, const char *want,
		      const struct pb_json *v)
{
	return pb_error("%s: %s%s: expected %s, got %s", at->name, at->ctx, key, want,
			pb_json_type_name(pb_json_type(v)));
}

/* An optional string member: *out gets a copy, or stays NULL when absent or null. */
static int get_string(const struct pb_json *obj, const char *key, const struct where *at, char **out)
{
	const struct pb_json *v = pb_json_get(obj, key);

	if (!v || pb_json_type(v) == PB_JSON_NULL)
		return 0;
	if (pb_json_type(v) != PB_JSON_STRING)
		return type_error(at, key, "a string", v);
	*out = pb_xstrdup(pb_json_string(v, ""));
	return 0;
}

static int need_string(const struct pb_json *obj, const char *key, const struct where *at, char **out)
{
	if (!pb_json_get(obj, key))
		return pb_error("%s: %s%s: missing (a placebisect measurement always has it)", at->name,
				at->ctx, key);
	if (get_string(obj, key, at, out))
		return -1;
	if (!*out)
		return pb_error("%s: %s%s: expected a string, got null", at->name, at->ctx, key);
	return 0;
}

/* An optional number member (null reads as NAN); *present says whether it was there. */
static int get_number(const struct pb_json *obj, const char *key, const struct where *at,
		      double *out, bool *present)
{
	const struct pb_json *v = pb_json_get(obj, key);

	*present = v != NULL;
	if (!v)
		return 0;
	if (pb_json_type(v) == PB_JSON_NULL) {
		*out = NAN;
		return 0;
	}
	if (pb_json_type(v) != PB_JSON_NUMBER)
		return type_error(at, key, "a number", v);
	*out = pb_json_number(v, NAN);
	return 0;
}

static int get_int(const struct pb_json *obj, const char *key, const struct where *at, int64_t *out)
{
	const struct pb_json *v = pb_json_get(obj, key);
	double d;

	if (!v)
		return 0;
	d = pb_json_number(v, NAN);
	if (pb_json_type(v) != PB_JSON_NUMBER || d != floor(d) || fabs(d) > 9007199254740992.0)
		return type_error(at, key, "an integer", v);
	*out = (int64_t)d;
	return 0;
}

static int get_bool(const struct pb_json *obj, const char *key, const struct where *at, bool *out,
		    bool *present)
{
	const struct pb_json *v = pb_json_get(obj, key);

	*present = v != NULL;
	if (!v)
		return 0;
	if (pb_json_type(v) != PB_JSON_BOOL)
		return type_error(at, key, "true or false", v);
	*out = pb_json_bool(v, false);
	return 0;
}

static int read_counters(struct pb_run *r, const struct pb_json *run, const struct where *at)
{
	const struct pb_json *obj = pb_json_get(run, "counters"), *c;
	const struct pb_json *ratios = pb_json_get(run, "counter_running_ratio");
	size_t i = 0;
	bool present;

	if (!obj || pb_json_type(obj) == PB_JSON_NULL)
		return 0;
	if (pb_json_type(obj) != PB_JSON_OBJECT)
		return type_error(at, "counters", "an object", obj);
	if (ratios && pb_json_type(ratios) != PB_JSON_OBJECT)
		return type_error(at, "counter_running_ratio", "an object", ratios);
	r->n_counters = pb_json_size(obj);
	r->counters = r->n_counters ? pb_xcalloc(r->n_counters, sizeof(*r->counters)) : NULL;
	for (c = pb_json_child(obj); c; c = pb_json_next(c), i++) {
		struct pb_counter *k = &r->counters[i];
		struct where sub = { at->name, NULL };
		char *ctx = pb_xasprintf("%scounters.", at->ctx);
		int ret;

		k->name = pb_xstrdup(pb_json_key(c));
		k->running_ratio = 1;
		sub.ctx = ctx;
		ret = get_number(obj, k->name, &sub, &k->value, &present);
		free(ctx);
		if (ret)
			return -1;
		if (ratios) {
			ctx = pb_xasprintf("%scounter_running_ratio.", at->ctx);
			sub.ctx = ctx;
			ret = get_number(ratios, k->name, &sub, &k->running_ratio, &present);
			free(ctx);
			if (ret)
				return -1;
			if (!present)
				k->running_ratio = 1;
		}
	}
	return 0;
}

/* The run's metric value when the file does not say it: from the clocks or a counter. */
static double value_of(const struct pb_run *r, const char *metric)
{
	size_t i;

	if (strcmp(metric, "wall") == 0)
		return (double)r->wall_ns;
	if (strcmp(metric, "cpu") == 0)
		return (double)(r->user_ns + r->sys_ns);
	for (i = 0; i < r->n_counters; i++)
		if (strcmp(r->counters[i].name, metric) == 0)
			return r->counters[i].value;
	return NAN;
}

static int read_run(struct pb_run *r, const struct pb_json *run, const char *metric,
		    const struct where *at)
{
	int64_t i64;
	bool has_value, has_ok, present;

	memset(r, 0, sizeof(*r));
	r->value = NAN;
	r->running_ratio = 1;
	r->other_busy_ns = r->steal_ns = -1;
	r->load1 = NAN;
	if (pb_json_type(run) != PB_JSON_OBJECT)
		return pb_error("%s: %.*s: expected an object, got %s", at->name,
				(int)strlen(at->ctx) - 1, at->ctx, pb_json_type_name(pb_json_type(run)));
	if (get_int(run, "wall_ns", at, &r->wall_ns) || get_int(run, "user_ns", at, &r->user_ns) ||
	    get_int(run, "sys_ns", at, &r->sys_ns))
		return -1;
	i64 = 0;
	if (get_int(run, "maxrss_kb", at, &i64))
		return -1;
	r->maxrss_kb = (long)i64;
	if (get_int(run, "start_mono_ns", at, &r->start_mono_ns) ||
	    get_int(run, "start_real_us", at, &r->start_real_us) ||
	    get_int(run, "other_busy_ns", at, &r->other_busy_ns) ||
	    get_int(run, "steal_ns", at, &r->steal_ns) ||
	    get_number(run, "load1", at, &r->load1, &present))
		return -1;
	i64 = 0;
	if (get_int(run, "exit", at, &i64))
		return -1;
	if (i64 < 0 || i64 > 255 + 128)
		return pb_error("%s: %sexit: %lld is not an exit status", at->name, at->ctx,
				(long long)i64);
	r->exit = (int)i64;
	if (get_bool(run, "timed_out", at, &r->timed_out, &present) ||
	    get_number(run, "running_ratio", at, &r->running_ratio, &present) ||
	    read_counters(r, run, at) || get_number(run, "value", at, &r->value, &has_value) ||
	    get_bool(run, "ok", at, &r->ok, &has_ok))
		return -1;
	if (!present)
		r->running_ratio = 1;
	if (!has_value)
		r->value = value_of(r, metric);
	if (!has_ok)
		r->ok = r->exit == 0 && !r->timed_out && isfinite(r->value);
	if (r->ok && !isfinite(r->value))
		return pb_error("%s: %.*s: a successful run without a value for the metric '%s'",
				at->name, (int)strlen(at->ctx) - 1, at->ctx, metric);
	return 0;
}

/* functions[]{name, file, Ir, I1mr}: the cachegrind backend's per-function costs. */
static int read_functions(struct pb_measurement *m, const struct pb_json *arr, const char *name)
{
	const struct pb_json *v;
	char ctx[48];
	size_t i;
	bool present;

	if (!arr || pb_json_type(arr) == PB_JSON_NULL)
		return 0;
	if (pb_json_type(arr) != PB_JSON_ARRAY) {
		struct where at = { name, "" };

		return type_error(&at, "functions", "an array", arr);
	}
	m->functions = pb_xcalloc(pb_json_size(arr) + 1, sizeof(*m->functions));
	for (v = pb_json_child(arr), i = 0; v; v = pb_json_next(v), i++) {
		struct pb_function_cost *f = &m->functions[i];
		struct where at = { name, ctx };

		snprintf(ctx, sizeof(ctx), "functions[%zu].", i);
		m->n_functions = i + 1;
		f->ir = f->i1mr = NAN;
		if (pb_json_type(v) != PB_JSON_OBJECT)
			return pb_error("%s: functions[%zu]: expected an object, got %s", name, i,
					pb_json_type_name(pb_json_type(v)));
		if (need_string(v, "name", &at, &f->name) || get_string(v, "file", &at, &f->file) ||
		    get_number(v, "Ir", &at, &f->ir, &present) ||
		    get_number(v, "I1mr", &at, &f->i1mr, &present))
			return -1;
	}
	return 0;
}

static int copy_json(struct pb_json **out, const struct pb_json *v, const char *name)
{
	struct pb_buf text = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret;

	pb_jsonw_init(&w, &text, true);
	pb_jsonw_value(&w, NULL, v);
	pb_jsonw_finish(&w);
	ret = pb_json_parse(out, text.data, text.len, name);
	pb_buf_release(&text);
	return ret;
}

int pb_measurement_from_json(struct pb_measurement *m, const struct pb_json *doc, const char *name)
{
	const struct pb_json *runs, *v, *warn;
	struct where at = { name, "" };
	char ctx[48];
	size_t i;
	int ret = -1;

	pb_measurement_init(m);
	if (check_schema(doc, name, SCHEMA_KIND, SCHEMA_VERSION) ||
	    pb_schema_check(doc, &pb_measurement_schema, name))
		return -1;
	if (need_string(doc, "backend", &at, &m->backend) || need_string(doc, "metric", &at, &m->metric) ||
	    get_string(doc, "benchmark", &at, &m->benchmark) ||
	    get_string(doc, "command", &at, &m->command) || get_string(doc, "commit", &at, &m->commit) ||
	    get_string(doc, "unit", &at, &m->unit))
		goto out;
	if (!m->unit && (strcmp(m->metric, "wall") == 0 || strcmp(m->metric, "cpu") == 0))
		m->unit = pb_xstrdup("ns");
	v = pb_json_get(doc, "system");
	if (v && pb_json_type(v) != PB_JSON_NULL) {
		if (pb_json_type(v) != PB_JSON_OBJECT) {
			type_error(&at, "system", "an object", v);
			goto out;
		}
		if (copy_json(&m->system, v, name))
			goto out;
	}
	runs = pb_json_get(doc, "runs");
	if (!runs) {
		pb_error("%s: runs: missing (a placebisect measurement always has it)", name);
		goto out;
	}
	if (pb_json_type(runs) != PB_JSON_ARRAY) {
		type_error(&at, "runs", "an array", runs);
		goto out;
	}
	m->runs = pb_xcalloc(pb_json_size(runs) + 1, sizeof(*m->runs));
	for (v = pb_json_child(runs), i = 0; v; v = pb_json_next(v), i++) {
		struct where rat = { name, ctx };

		snprintf(ctx, sizeof(ctx), "runs[%zu].", i);
		m->n_runs = i + 1; /* owned from here on, released on failure */
		if (read_run(&m->runs[i], v, m->metric, &rat))
			goto out;
	}
	warn = pb_json_get(doc, "warnings");
	if (warn && pb_json_type(warn) != PB_JSON_ARRAY) {
		type_error(&at, "warnings", "an array of strings", warn);
		goto out;
	}
	for (v = pb_json_child(warn), i = 0; v; v = pb_json_next(v), i++) {
		if (pb_json_type(v) != PB_JSON_STRING) {
			snprintf(ctx, sizeof(ctx), "warnings[%zu]", i);
			type_error(&at, ctx, "a string", v);
			goto out;
		}
		pb_measurement_add_warning(m, pb_json_string(v, ""));
	}
	if (read_functions(m, pb_json_get(doc, "functions"), name))
		goto out;
	{
		const struct pb_json *bl = pb_json_get(doc, "baseline"), *c;
		struct pb_counter *bc = NULL;
		size_t nb = 0, k = 0;

		if (pb_json_type(bl) == PB_JSON_OBJECT &&
		    pb_json_string(pb_json_get(bl, "command"), NULL)) {
			nb = pb_json_size(pb_json_get(bl, "counters"));
			bc = nb ? pb_xcalloc(nb, sizeof(*bc)) : NULL;
			for (c = pb_json_child(pb_json_get(bl, "counters")); c && k < nb; c = pb_json_next(c)) {
				bc[k].name = (char *)pb_json_key(c);
				bc[k].value = pb_json_number(c, NAN);
				bc[k].running_ratio = 1;
				k++;
			}
			pb_measurement_set_baseline(m, pb_json_string(pb_json_get(bl, "command"), ""),
						    pb_json_number(pb_json_get(bl, "value"), NAN), bc, k);
			free(bc);
		}
	}
	/* The runs are the data; summary and derived metrics are recomputed from them
	 * (deterministically: the bootstrap has a fixed seed), so a hand-edited file stays consistent. */
	pb_measurement_finish(m);
	ret = 0;
out:
	if (ret)
		pb_measurement_release(m);
	return ret;
}

int pb_measurement_read(struct pb_measurement *m, const char *path)
{
	struct pb_json *doc;
	int ret;

	pb_measurement_init(m);
	if (pb_json_parse_file(&doc, path))
		return -1;
	ret = pb_measurement_from_json(m, doc, path);
	pb_json_free(doc);
	return ret;
}

/* What a measurement promises its readers (compare, report): types, and no negative count or time. */
static const struct pb_schema_rule measurement_rules[] = {
	{ "backend", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "metric", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "benchmark", PB_S_STR | PB_S_NULL },
	{ "command", PB_S_STR | PB_S_NULL },
	{ "commit", PB_S_STR | PB_S_NULL },
	{ "unit", PB_S_STR | PB_S_NULL },
	{ "system", PB_S_OBJ | PB_S_NULL },
	{ "n_failed", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "runs", PB_S_ARR | PB_S_REQ },
	{ "runs[]", PB_S_OBJ },
	{ "runs[].wall_ns", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "runs[].user_ns", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "runs[].sys_ns", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "runs[].maxrss_kb", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "runs[].running_ratio", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "runs[].counters", PB_S_OBJ | PB_S_NULL },
	{ "runs[].counters.*", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "summary", PB_S_OBJ },
	{ "summary.n", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "derived", PB_S_OBJ },
	{ "derived.*", PB_S_NUM | PB_S_NULL },
	{ "warnings", PB_S_ARR },
	{ "warnings[]", PB_S_STR },
	{ "functions", PB_S_ARR | PB_S_NULL },
	{ "functions[]", PB_S_OBJ },
	{ "functions[].name", PB_S_STR | PB_S_REQ },
	{ NULL, 0 },
};

const struct pb_schema pb_measurement_schema = { PB_MEASUREMENT_SCHEMA, measurement_rules };

double pb_measurement_counter_any(const struct pb_measurement *m, const char *const *names)
{
	double v;

	for (; *names; names++) {
		v = pb_measurement_counter(m, *names);
		if (isfinite(v))
			return v;
	}
	return NAN;
}
