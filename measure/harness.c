/* harness.c: pyperf, hyperfine and Google Benchmark JSON files read as samples, and as measurements for compare. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "measure/harness.h"

enum pb_harness pb_harness_detect(const struct pb_json *doc)
{
	const struct pb_json *b, *first;

	if (pb_json_type(doc) != PB_JSON_OBJECT)
		return PB_HARNESS_NONE;
	b = pb_json_get(doc, "results");
	if (pb_json_type(b) == PB_JSON_ARRAY) {
		first = pb_json_child(b);
		if (!first || pb_json_get(first, "command") || pb_json_get(first, "times"))
			return PB_HARNESS_HYPERFINE;
	}
	b = pb_json_get(doc, "benchmarks");
	if (pb_json_type(b) != PB_JSON_ARRAY)
		return PB_HARNESS_NONE;
	/* Google Benchmark writes context{} first; pyperf writes runs[] per benchmark. */
	if (pb_json_type(pb_json_get(doc, "context")) == PB_JSON_OBJECT)
		return PB_HARNESS_GBENCH;
	first = pb_json_child(b);
	if (first && (pb_json_get(first, "real_time") || pb_json_get(first, "run_type")))
		return PB_HARNESS_GBENCH;
	if (!first || pb_json_get(first, "runs"))
		return PB_HARNESS_PYPERF;
	return PB_HARNESS_NONE;
}

const char *pb_harness_name(enum pb_harness h)
{
	switch (h) {
	case PB_HARNESS_PYPERF:
		return "pyperf";
	case PB_HARNESS_HYPERFINE:
		return "hyperfine";
	case PB_HARNESS_GBENCH:
		return "gbench";
	case PB_HARNESS_NONE:
		break;
	}
	return "none";
}

enum pb_harness pb_harness_from_name(const char *name)
{
	if (!name)
		return PB_HARNESS_NONE;
	if (strcmp(name, "pyperf") == 0)
		return PB_HARNESS_PYPERF;
	if (strcmp(name, "hyperfine") == 0)
		return PB_HARNESS_HYPERFINE;
	if (strcmp(name, "gbench") == 0)
		return PB_HARNESS_GBENCH;
	return PB_HARNESS_NONE;
}

void pb_harness_samples_release(struct pb_harness_samples *s)
{
	free(s->values);
	free(s->name);
	free(s->source_unit);
	memset(s, 0, sizeof(*s));
}

static void push(struct pb_harness_samples *s, size_t *cap, double v)
{
	pb_xgrow((void **)&s->values, cap, s->n + 1, sizeof(*s->values));
	s->values[s->n++] = v;
}

/* The names a file offers, for messages: "'a', 'b', 'c'" (the first 12). */
static void list_name(struct pb_buf *names, size_t *count, const char *name)
{
	if (*count < 12)
		pb_buf_printf(names, "%s'%s'", *count ? ", " : "", name);
	else if (*count == 12)
		pb_buf_puts(names, ", ...");
	(*count)++;
}

static int choose_error(struct pb_buf *why, const char *name, const char *what,
			const struct pb_harness_opts *o, const struct pb_buf *names, size_t count)
{
	if (count == 0)
		pb_buf_printf(why, "%s: no %s in the file", name, what);
	else if (o->select)
		pb_buf_printf(why, "%s: no %s named '%s'; the file has %s", name, what, o->select,
			      names->data);
	else
		pb_buf_printf(why, "%s: %zu %ss in the file (%s): choose one with --select NAME "
			      "(parse.benchmark in the config)", name, count, what, names->data);
	return -1;
}

/* pyperf: a benchmark's name is in its metadata, else (one benchmark per file) in the file's. */
static const char *pyperf_bench_name(const struct pb_json *doc, const struct pb_json *bench)
{
	const char *n = pb_json_string(pb_json_path(bench, "metadata.name"), NULL);

	return n ? n : pb_json_string(pb_json_path(doc, "metadata.name"), "(unnamed)");
}

static int read_pyperf(struct pb_harness_samples *s, const struct pb_json *doc,
		       const struct pb_harness_opts *o, const char *name, struct pb_buf *why)
{
	const struct pb_json *bench, *chosen = NULL, *run, *v;
	struct pb_buf names = PB_BUF_INIT;
	const char *unit;
	double sum, scale = 1;
	size_t count = 0, cap = 0, k;
	int ret = -1;

	for (bench = pb_json_child(pb_json_get(doc, "benchmarks")); bench; bench = pb_json_next(bench)) {
		const char *bn = pyperf_bench_name(doc, bench);

		list_name(&names, &count, bn);
		if (!chosen && (!o->select || strcmp(bn, o->select) == 0))
			chosen = bench;
	}
	/* A file with one benchmark needs no select (so one --select serves a mixed pair). */
	if (count == 1)
		chosen = pb_json_child(pb_json_get(doc, "benchmarks"));
	if (!chosen || (!o->select && count > 1)) {
		choose_error(why, name, "benchmark", o, &names, count);
		goto out;
	}
	s->name = pb_xstrdup(pyperf_bench_name(doc, chosen));
	unit = pb_json_string(pb_json_path(chosen, "metadata.unit"), NULL);
	if (!unit)
		unit = pb_json_string(pb_json_path(doc, "metadata.unit"), "second");
	s->source_unit = pb_xstrdup(unit);
	if (strcmp(unit, "second") == 0) {
		s->unit = "ns";
		s->metric = "wall";
		scale = 1e9;
	} else {
		s->unit = strcmp(unit, "byte") == 0 ? "bytes" : "value";
		s->metric = "pyperf";
	}
	/* One runs[] entry is one worker process: its values are one sample, summarized by the mean
	 * (pyperf's own summary statistic), so processes, not loop iterations, are what is counted. */
	for (run = pb_json_child(pb_json_get(chosen, "runs")); run; run = pb_json_next(run)) {
		sum = 0;
		k = 0;
		for (v = pb_json_child(pb_json_get(run, "values")); v; v = pb_json_next(v)) {
			if (pb_json_type(v) != PB_JSON_NUMBER) {
				pb_buf_printf(why, "%s: benchmark '%s': a value is %s, not a number", name,
					      s->name, pb_json_type_name(pb_json_type(v)));
				goto out;
			}
			sum += pb_json_number(v, 0);
			k++;
		}
		if (k == 0) {
			s->skipped++;
			continue;
		}
		push(s, &cap, sum / (double)k * scale);
	}
	if (s->n == 0) {
		pb_buf_printf(why, "%s: benchmark '%s' has no runs[].values[] (only calibration runs?)",
			      name, s->name);
		goto out;
	}
	ret = 0;
out:
	pb_buf_release(&names);
	return ret;
}

static int read_hyperfine(struct pb_harness_samples *s, const struct pb_json *doc,
			  const struct pb_harness_opts *o, const char *name, struct pb_buf *why)
{
	const struct pb_json *res, *chosen = NULL, *times, *v;
	struct pb_buf names = PB_BUF_INIT;
	size_t count = 0, cap = 0;
	int ret = -1;

	for (res = pb_json_child(pb_json_get(doc, "results")); res; res = pb_json_next(res)) {
		const char *cmd = pb_json_string(pb_json_get(res, "command"), "(no command)");

		list_name(&names, &count, cmd);
		if (!chosen && (!o->select || strcmp(cmd, o->select) == 0))
			chosen = res;
	}
	if (count == 1)
		chosen = pb_json_child(pb_json_get(doc, "results"));
	if (!chosen || (!o->select && count > 1)) {
		choose_error(why, name, "command", o, &names, count);
		goto out;
	}
	s->name = pb_xstrdup(pb_json_string(pb_json_get(chosen, "command"), "(no command)"));
	s->source_unit = pb_xstrdup("s");
	s->unit = "ns";
	s->metric = "wall";
	times = pb_json_get(chosen, "times");
	if (pb_json_type(times) != PB_JSON_ARRAY) {
		pb_buf_printf(why, "%s: command '%s' has no times[] (hyperfine before 1.5 wrote only "
			      "mean and stddev: export again with a newer hyperfine)", name, s->name);
		goto out;
	}
	for (v = pb_json_child(times); v; v = pb_json_next(v)) {
		if (pb_json_type(v) != PB_JSON_NUMBER) {
			pb_buf_printf(why, "%s: command '%s': times[] holds %s, not a number", name,
				      s->name, pb_json_type_name(pb_json_type(v)));
			goto out;
		}
		push(s, &cap, pb_json_number(v, 0) * 1e9);
	}
	if (s->n == 0) {
		pb_buf_printf(why, "%s: command '%s' has no times", name, s->name);
		goto out;
	}
	ret = 0;
out:
	pb_buf_release(&names);
	return ret;
}

/* Nanoseconds per Google Benchmark time_unit; 0 for an unknown unit. */
static double gbench_scale(const char *unit)
{
	if (strcmp(unit, "ns") == 0)
		return 1;
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0)
		return 1e9;
	return 0;
}

/* An iteration entry (not an aggregate); files before run_type existed have only iterations. */
static bool gbench_iteration(const struct pb_json *b)
{
	const char *rt = pb_json_string(pb_json_get(b, "run_type"), "iteration");

	return strcmp(rt, "iteration") == 0;
}

static const char *gbench_name(const struct pb_json *b)
{
	const char *rn = pb_json_string(pb_json_get(b, "run_name"), NULL);

	return rn ? rn : pb_json_string(pb_json_get(b, "name"), "(unnamed)");
}

static int read_gbench(struct pb_harness_samples *s, const struct pb_json *doc,
		       const struct pb_harness_opts *o, const char *name, struct pb_buf *why)
{
	const struct pb_json *b;
	struct pb_buf names = PB_BUF_INIT;
	const char *field = o->time ? o->time : "real_time", *chosen = NULL, *last = NULL, *unit;
	size_t count = 0, cap = 0;
	double scale;
	int ret = -1;

	if (strcmp(field, "real_time") && strcmp(field, "cpu_time")) {
		pb_buf_printf(why, "%s: Google Benchmark time '%s': use real_time or cpu_time", name, field);
		return -1;
	}
	/* Names first (each once: a benchmark's repetitions come one after another), then the
	 * chosen one's iterations. */
	for (b = pb_json_child(pb_json_get(doc, "benchmarks")); b; b = pb_json_next(b)) {
		const char *bn = gbench_name(b);

		if (!gbench_iteration(b) || (last && strcmp(bn, last) == 0))
			continue;
		last = bn;
		list_name(&names, &count, bn);
		if (!chosen && (!o->select || strcmp(bn, o->select) == 0 ||
				strcmp(pb_json_string(pb_json_get(b, "name"), ""), o->select) == 0))
			chosen = bn;
	}
	if (count == 1)
		chosen = last;
	if (!chosen || (!o->select && count > 1)) {
		choose_error(why, name, "benchmark", o, &names, count);
		goto out;
	}
	s->name = pb_xstrdup(chosen);
	s->unit = "ns";
	s->metric = strcmp(field, "cpu_time") == 0 ? "cpu" : "wall";
	for (b = pb_json_child(pb_json_get(doc, "benchmarks")); b; b = pb_json_next(b)) {
		if (!gbench_iteration(b) || strcmp(gbench_name(b), chosen) != 0)
			continue;
		if (pb_json_bool(pb_json_get(b, "error_occurred"), false)) {
			s->skipped++;
			continue;
		}
		unit = pb_json_string(pb_json_get(b, "time_unit"), "ns");
		scale = gbench_scale(unit);
		if (scale == 0) {
			pb_buf_printf(why, "%s: benchmark '%s': time_unit '%s' is not ns, us, ms or s",
				      name, s->name, unit);
			goto out;
		}
		if (!s->source_unit)
			s->source_unit = pb_xstrdup(unit);
		if (pb_json_type(pb_json_get(b, field)) != PB_JSON_NUMBER) {
			pb_buf_printf(why, "%s: benchmark '%s': no number %s", name, s->name, field);
			goto out;
		}
		push(s, &cap, pb_json_number(pb_json_get(b, field), 0) * scale);
	}
	if (s->n == 0) {
		pb_buf_printf(why, "%s: benchmark '%s' has no successful iteration run", name, s->name);
		goto out;
	}
	ret = 0;
out:
	pb_buf_release(&names);
	return ret;
}

int pb_harness_samples(struct pb_harness_samples *s, const struct pb_json *doc, enum pb_harness h,
		       const struct pb_harness_opts *o, const char *name, struct pb_buf *why)
{
	static const struct pb_harness_opts none = { NULL, NULL };
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (!o)
		o = &none;
	switch (h) {
	case PB_HARNESS_PYPERF:
		ret = read_pyperf(s, doc, o, name, why);
		break;
	case PB_HARNESS_HYPERFINE:
		ret = read_hyperfine(s, doc, o, name, why);
		break;
	case PB_HARNESS_GBENCH:
		ret = read_gbench(s, doc, o, name, why);
		break;
	case PB_HARNESS_NONE:
		pb_buf_printf(why, "%s: not a pyperf, hyperfine or Google Benchmark file", name);
		break;
	}
	if (ret)
		pb_harness_samples_release(s);
	return ret;
}

static int to_measurement(struct pb_measurement *m, const struct pb_json *doc, enum pb_harness h,
			  const struct pb_harness_opts *o, const char *path)
{
	struct pb_harness_samples s;
	struct pb_buf why = PB_BUF_INIT;
	struct pb_run run;
	char *note;
	size_t i;

	if (pb_harness_samples(&s, doc, h, o, path, &why)) {
		pb_error("%s", why.data);
		pb_buf_release(&why);
		return -1;
	}
	m->benchmark = pb_xstrdup(s.name);
	m->command = pb_xstrdup(s.name);
	m->backend = pb_xstrdup(pb_harness_name(h));
	m->metric = pb_xstrdup(s.metric);
	m->unit = pb_xstrdup(s.unit);
	for (i = 0; i < s.n; i++) {
		memset(&run, 0, sizeof(run));
		run.ok = true;
		run.value = s.values[i];
		run.running_ratio = 1;
		if (strcmp(s.metric, "wall") == 0)
			run.wall_ns = (int64_t)llround(s.values[i]);
		pb_measurement_add_run(m, &run);
	}
	note = pb_xasprintf("%zu %s read from a %s file (%s → %s)%s", s.n,
			    h == PB_HARNESS_PYPERF ? "processes (the mean of each one's values)" :
			    h == PB_HARNESS_HYPERFINE ? "times" : "repetitions",
			    pb_harness_name(h), s.source_unit ? s.source_unit : "?", s.unit,
			    s.skipped ? "; runs without values skipped" : "");
	pb_measurement_add_warning(m, note);
	free(note);
	pb_measurement_finish(m);
	pb_harness_samples_release(&s);
	pb_buf_release(&why);
	return 0;
}

int pb_harness_read_file(struct pb_measurement *m, const char *path, const struct pb_harness_opts *o)
{
	struct pb_json *doc = NULL;
	enum pb_harness h;
	int ret = -1;

	pb_measurement_init(m);
	if (pb_json_parse_file(&doc, path))
		return -1;
	if (pb_json_get(doc, "schema")) {
		ret = pb_measurement_from_json(m, doc, path);
		goto out;
	}
	h = pb_harness_detect(doc);
	if (h == PB_HARNESS_NONE) {
		pb_error("%s: not a measurement file: no placebisect \"schema\", and not pyperf "
			 "(benchmarks[].runs[]), hyperfine --export-json (results[].times[]) or Google "
			 "Benchmark --benchmark_format=json (context, benchmarks[])", path);
		goto out;
	}
	ret = to_measurement(m, doc, h, o, path);
out:
	if (ret)
		pb_measurement_release(m);
	pb_json_free(doc);
	return ret;
}
