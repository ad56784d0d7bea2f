/* nightly.c: the nightly job: measure into the history, detect (two-sample + E-Divisive), alert once, bisect. */
#include "nightly/nightly.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bisect/revision.h"
#include "bisect/schemas.h"
#include "bisect/session.h"
#include "core/atomic.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "layout/elf.h"
#include "measure/runner.h"
#include "report/report.h"

struct night {
	struct pb_repo *repo;
	const struct pb_config *cfg;
	const struct pb_nightly_opts *o;
	const struct pb_bench *bench;
	struct pb_runner_opts tmpl;  /* every point's runner starts from these */
	char *machine, *config, *backend;
	double alpha, min_effect;
	bool exact;                  /* a deterministic backend (cachegrind): one value decides */
	struct pb_cp_opts cp;
	struct pb_history h;
	struct pb_nightly_result *res;
};

/* ---- Series ---- */

static void series_point(struct pb_series_point *p, const struct pb_history_entry *e)
{
	memcpy(p->commit, e->commit, PB_OID_HEX);
	p->subject = e->subject ? pb_xstrdup(e->subject) : NULL;
	p->median = e->median;
	p->runs = e->runs;
	p->text_hash = e->text_hash;
}

/* The medians and .text hashes of the first n points, for pb_changepoints_find (caller frees). */
static void series_arrays(const struct pb_series *s, size_t n, double **x, uint64_t **hash)
{
	size_t i;

	*x = pb_xmalloc((n + 1) * sizeof(**x));
	*hash = pb_xmalloc((n + 1) * sizeof(**hash));
	for (i = 0; i < n; i++) {
		(*x)[i] = s->points[i].median;
		(*hash)[i] = s->points[i].text_hash;
	}
}

int pb_series_load(struct pb_series *s, const struct pb_history *h, const char *bench,
		   const char *machine, const char *config, const struct pb_cp_opts *o)
{
	const struct pb_history_entry *last = NULL;
	struct pb_buf names = PB_BUF_INIT;
	size_t *idx, i;
	uint64_t *hash;
	double *x;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < h->n_entries; i++)
		if (strcmp(h->entries[i].benchmark, bench) == 0)
			last = &h->entries[i];
		else if (!strstr(names.data, h->entries[i].benchmark))
			pb_buf_printf(&names, "%s%s", names.len ? ", " : "", h->entries[i].benchmark);
	if (!last) {
		pb_error("%s: no point of benchmark '%s' in the history%s%s", h->dir, bench,
			 names.len ? "; it has " : " (it is empty)", names.data);
		pb_buf_release(&names);
		return -1;
	}
	pb_buf_release(&names);
	s->benchmark = pb_xstrdup(bench);
	s->machine = pb_xstrdup(machine ? machine : last->machine);
	s->config = pb_xstrdup(config ? config : last->config);
	s->metric = pb_xstrdup(last->metric);
	s->backend = pb_xstrdup(last->backend);
	idx = pb_history_series(h, s->benchmark, s->machine, s->config, &s->n_points);
	if (s->n_points == 0) {
		free(idx);
		return pb_error("%s: no point of benchmark '%s' on machine '%s' (config %s)", h->dir,
				bench, s->machine, s->config);
	}
	s->points = pb_xcalloc(s->n_points, sizeof(*s->points));
	for (i = 0; i < s->n_points; i++)
		series_point(&s->points[i], &h->entries[idx[i]]);
	free(idx);
	series_arrays(s, s->n_points, &x, &hash);
	pb_changepoints_find(x, hash, s->n_points, o, &s->cps, &s->n_cps);
	free(x);
	free(hash);
	return 0;
}

void pb_series_release(struct pb_series *s)
{
	size_t i;

	for (i = 0; i < s->n_points; i++)
		free(s->points[i].subject);
	free(s->points);
	free(s->cps);
	free(s->benchmark);
	free(s->machine);
	free(s->config);
	free(s->metric);
	free(s->backend);
	memset(s, 0, sizeof(*s));
}

/* The position of `commit` in the series, or n_points. */
static size_t position_of(const struct pb_series *s, const char *commit)
{
	size_t i;

	for (i = 0; i < s->n_points; i++)
		if (strcmp(s->points[i].commit, commit) == 0)
			return i;
	return s->n_points;
}

/* ---- Measuring a point ---- */

static uint64_t text_hash(const char *binary)
{
	struct pb_elf *e;
	uint64_t h;

	if (!binary)
		return 0;
	if (pb_elf_open(&e, binary)) {
		pb_note("no .text hash for %s (%s): change points there are not checked against the "
			"code", binary, pb_error_message());
		pb_error_clear();
		return 0;
	}
	h = pb_elf_text_hash(e);
	pb_elf_free(e);
	return h;
}

/* Build (or take the cached build of) commit `id`, measure it and record its point. */
static int measure_point(struct night *n, const char *id)
{
	struct pb_revision rev;
	struct pb_runner_opts ro = n->tmpl;
	struct pb_placeholders ph;
	struct pb_measurement m;
	struct pb_commit_info ci;
	struct pb_history_entry e;
	char *command = NULL, *baseline = NULL, *prepare = NULL, *setup = NULL;
	int ret = -1;

	memset(&ci, 0, sizeof(ci));
	memset(&e, 0, sizeof(e));
	pb_measurement_init(&m);
	if (pb_revision_prepare(n->repo, n->cfg, id, false, &rev))
		goto out;
	ph.binary = rev.binary;
	ph.worktree = rev.worktree;
	ph.config_dir = n->cfg->dir;
	ph.prefix = rev.prefix;
	command = pb_config_expand(n->bench->command, &ph);
	ro.shell = command;
	if (n->bench->baseline) {
		baseline = pb_config_expand(n->bench->baseline, &ph);
		ro.baseline = baseline;
	}
	if (n->bench->prepare)
		ro.prepare = prepare = pb_config_expand(n->bench->prepare, &ph);
	if (n->bench->setup)
		ro.setup = setup = pb_config_expand(n->bench->setup, &ph);
	ro.cwd = rev.worktree;
	ro.commit = rev.commit;
	ro.tmp_dir = rev.st.tmp;
	if (pb_runner_measure(&ro, &m))
		goto release;
	if (m.summary.n == 0) {
		pb_error("%.7s: every run of benchmark %s failed (%zu); see the warnings above", id,
			 n->bench->name, m.n_runs);
		goto release;
	}
	if (pb_repo_commit_info(n->repo, rev.commit, &ci))
		goto release;
	memcpy(e.commit, rev.commit, PB_OID_HEX);
	e.benchmark = pb_xstrdup(n->bench->name);
	e.machine = pb_xstrdup(n->machine);
	e.config = pb_xstrdup(n->config);
	e.subject = pb_xstrdup(ci.subject);
	e.date = pb_xstrdup(ci.date);
	e.metric = pb_xstrdup(m.metric);
	e.backend = pb_xstrdup(m.backend);
	e.median = m.summary.median;
	e.runs = (int64_t)m.summary.n;
	e.text_hash = text_hash(rev.binary);
	e.recorded = (int64_t)time(NULL);
	ret = pb_history_record(&n->h, &e, &m);
release:
	pb_revision_release(&rev);
out:
	free(e.benchmark);
	free(e.machine);
	free(e.config);
	free(e.subject);
	free(e.date);
	free(e.metric);
	free(e.backend);
	free(e.file);
	free(command);
	free(baseline);
	free(prepare);
	free(setup);
	pb_commit_info_release(&ci);
	pb_measurement_release(&m);
	return ret;
}

/* Measure `id` unless its point is recorded; returns 1 when it was measured now, 0 or -1. */
static int ensure_point(struct night *n, const char *id, int step, int total)
{
	char what[128];

	if (pb_history_find(&n->h, n->bench->name, n->machine, n->config, id) >= 0)
		return 0;
	pb_repo_describe(n->repo, id, what, sizeof(what));
	if (n->o->progress)
		pb_progress_step(n->o->progress, step, total, "building and measuring %s", what);
	if (measure_point(n, id))
		return -1;
	return 1;
}

/* --backfill A..B [--every N]: the chosen commits of A..B (A excluded, as git), oldest first. */
static int backfill(struct night *n)
{
	const char *spec = n->o->backfill, *dots = strstr(spec, "..");
	char (*ids)[PB_OID_HEX] = NULL, a[PB_OID_HEX], b[PB_OID_HEX];
	char *from;
	size_t count = 0, k, total = 0, done = 0;
	long every = n->o->every > 0 ? n->o->every : 1;
	int rc, ret = -1;

	if (!dots || dots == spec || !dots[2])
		return pb_error("--backfill '%s': expected a range A..B (e.g. v1.0..HEAD)", spec);
	from = pb_xstrndup(spec, (size_t)(dots - spec));
	rc = pb_repo_resolve(n->repo, from, a) || pb_repo_resolve(n->repo, dots + 2, b) ||
	     pb_repo_first_parent_range(n->repo, a, b, &ids, &count);
	free(from);
	if (rc)
		goto out;
	for (k = 0; k < count; k++)
		if ((count - 1 - k) % (size_t)every == 0)
			total++;
	for (k = 0; k < count; k++) {
		if ((count - 1 - k) % (size_t)every != 0)
			continue;
		rc = ensure_point(n, ids[k], (int)++done, (int)total);
		if (rc < 0 && pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			goto out;
		if (rc < 0) {
			/* A commit of the past that does not build is a gap in the history, not a failure. */
			pb_warn("backfill: %.7s skipped: %s", ids[k], pb_error_message());
			pb_error_clear();
			continue;
		}
		n->res->backfilled += (size_t)rc;
	}
	memcpy(n->res->commit, b, PB_OID_HEX);
	ret = 0;
out:
	free(ids);
	return ret;
}

/* ---- Detection ---- */

static bool is_key(const struct night *n, const struct pb_history_alert *a)
{
	return strcmp(a->benchmark, n->bench->name) == 0 && strcmp(a->machine, n->machine) == 0 &&
	       strcmp(a->config, n->config) == 0;
}

/* Has a change at position i been alerted (or seeded) before, there or a point either side? */
static bool known_change(const struct night *n, size_t i, size_t slack)
{
	const struct pb_series *s = &n->res->series;
	size_t k, j;

	for (k = 0; k < n->h.n_alerts; k++) {
		if (!is_key(n, &n->h.alerts[k]))
			continue;
		for (j = i >= slack ? i - slack : 0; j <= i + slack && j < s->n_points; j++)
			if (strcmp(n->h.alerts[k].bad, s->points[j].commit) == 0)
				return true;
	}
	return false;
}

/* The values of points [from, to) of the series, from their measurement files. */
static int gather(struct night *n, size_t from, size_t to, double **v, size_t *nv)
{
	double *one;
	size_t k, m;
	long at;

	*v = NULL;
	*nv = 0;
	for (k = from; k < to; k++) {
		at = pb_history_find(&n->h, n->bench->name, n->machine, n->config,
				     n->res->series.points[k].commit);
		if (at < 0 || pb_history_values(&n->h, &n->h.entries[at], &one, &m))
			return at < 0 ? pb_error("history: the point of %.7s vanished",
						 n->res->series.points[k].commit) : -1;
		*v = pb_xrealloc(*v, (*nv + m + 1) * sizeof(**v));
		memcpy(*v + *nv, one, m * sizeof(*one));
		*nv += m;
		free(one);
	}
	return 0;
}

/*
 * The revision's point (p) against its baseline: the points since the last change point before
 * it, or since the last alerted regression, at most a window of them.
 */
static int compare_newest(struct night *n, size_t p)
{
	struct pb_nightly_result *res = n->res;
	const struct pb_series *s = &res->series;
	struct pb_change_point *pre;
	double *x, *base = NULL, *now = NULL;
	uint64_t *hash;
	size_t npre, start = 0, nb, nn, k;
	int ret = -1;

	series_arrays(s, p, &x, &hash);
	pb_changepoints_find(x, hash, p, &n->cp, &pre, &npre);
	if (npre)
		start = pre[npre - 1].index;
	free(pre);
	free(x);
	free(hash);
	for (k = start + 1; k < p; k++)
		if (known_change(n, k, 0))
			start = k;
	if (p - start > n->cp.window)
		start = p - n->cp.window;
	if (p == start)
		return 0;
	if (gather(n, start, p, &base, &nb) || gather(n, p, p + 1, &now, &nn))
		goto out;
	res->baseline_median = pb_stats_median(base, nb);
	if (n->exact) {
		/* An exact metric has no sampling error: one value per commit, and the baseline's
		 * spread is the commits' own differences. Its level against the value decides. */
		pb_stats_compare(&res->baseline_median, 1, now, nn, n->alpha, n->min_effect,
				 &res->newest);
	} else {
		pb_stats_compare(base, nb, now, nn, n->alpha, n->min_effect, &res->newest);
	}
	res->compared = true;
	res->baseline_points = p - start;
	ret = 0;
out:
	free(base);
	free(now);
	return ret;
}

static struct pb_nightly_regression *add_reg(struct pb_nightly_result *res)
{
	struct pb_nightly_regression *r;

	res->regs = pb_xrealloc(res->regs, (res->n_regs + 1) * sizeof(*res->regs));
	r = &res->regs[res->n_regs++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* A new alert for the change between positions i - 1 and i. */
static struct pb_history_alert *new_alert(struct night *n, size_t i, double before, double after)
{
	const struct pb_series *s = &n->res->series;
	struct pb_history_alert *a = pb_history_add_alert(&n->h, n->bench->name, n->machine, n->config);

	memcpy(a->good, s->points[i - 1].commit, PB_OID_HEX);
	memcpy(a->bad, s->points[i].commit, PB_OID_HEX);
	memcpy(a->detected, n->res->commit, PB_OID_HEX);
	a->status = n->res->backfill ? PB_ALERT_SEEDED : PB_ALERT_OPEN;
	a->before = before;
	a->after = after;
	return a;
}

/* ---- Bisecting a new regression ---- */

static int bisect_alert(struct night *n, struct pb_history_alert *a, struct pb_nightly_regression *r)
{
	const struct pb_nightly_opts *o = n->o;
	struct pb_bisect_opts bo = {
		.good = a->good, .bad = a->bad, .bench = n->bench->name, .backend = o->backend,
		.metric = o->metric, .cpus = o->cpus, .alpha = o->alpha, .min_effect = o->min_effect,
		.max_runs = o->max_runs, .stop = o->stop, .progress = o->progress,
	};
	struct pb_bisect_result br;
	struct pb_buf rel = PB_BUF_INIT, doc = PB_BUF_INIT;
	struct pb_jsonw w;
	char *dir = NULL, *json = NULL, *md = NULL;
	int ret = -1;

	pb_note("bisecting the regression between %.7s and %.7s", a->good, a->bad);
	if (pb_bisect_run(n->repo, n->cfg, &bo, &br)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			goto out;
		pb_warn("the bisect of %.7s..%.7s failed (%s); the regression is reported without a "
			"culprit", a->good, a->bad, pb_error_message());
		pb_error_clear();
		r->bisect_status = pb_xstrdup("failed");
		ret = 0;
		goto out;
	}
	r->bisect_status = pb_xstrdup(br.search.status == PB_SEARCH_FOUND ? "found" :
				      br.search.status == PB_SEARCH_NOT_REPRODUCED ? "not-reproduced" :
				      br.search.status == PB_SEARCH_UNCONFIRMED ? "unconfirmed" :
				      br.search.status == PB_SEARCH_UNSTABLE ? "unstable" : "only-skipped");
	if (br.search.status == PB_SEARCH_FOUND && br.search.n_culprits)
		a->culprit = pb_xstrdup(br.commits[br.search.culprits[0].index].info.id);
	pb_buf_puts(&rel, "reports/");
	pb_history_put_safe(&rel, n->bench->name);
	pb_buf_putc(&rel, '-');
	pb_history_put_safe(&rel, n->machine);
	pb_buf_printf(&rel, "-%.12s", a->bad);
	dir = pb_xasprintf("%s/reports", n->h.dir);
	json = pb_xasprintf("%s/%s.json", n->h.dir, rel.data);
	md = pb_xasprintf("%s/%s.md", n->h.dir, rel.data);
	pb_jsonw_init(&w, &doc, false);
	pb_bisect_write_json(&br, &w);
	pb_jsonw_finish(&w);
	if (pb_mkdir_p(dir) || pb_atomic_write(json, doc.data, doc.len) ||
	    pb_json_parse_file(&r->bisect_doc, json))
		goto out;
	a->bisect = pb_xasprintf("%s.json", rel.data);
	r->bisect = pb_xstrdup(json);
	/* The report (with its plots beside it); without one the bisect result still stands. */
	if (pb_report_write_file(json, md) == 0) {
		a->report = pb_xasprintf("%s.md", rel.data);
		r->report = pb_xstrdup(md);
	} else {
		pb_warn("no report for the regression at %.7s: %s", a->bad, pb_error_message());
		pb_error_clear();
	}
	ret = 0;
out:
	pb_bisect_result_release(&br);
	pb_buf_release(&rel);
	pb_buf_release(&doc);
	free(dir);
	free(json);
	free(md);
	return ret;
}

/* What the regression list needs from an alert (new or open). */
static void fill_reg(struct night *n, const struct pb_history_alert *a, struct pb_nightly_regression *r)
{
	const struct pb_series *s = &n->res->series;
	size_t i = position_of(s, a->bad);
	char *path;

	memcpy(r->good, a->good, PB_OID_HEX);
	memcpy(r->bad, a->bad, PB_OID_HEX);
	if (i < s->n_points && s->points[i].subject)
		r->bad_subject = pb_xstrdup(s->points[i].subject);
	r->before = a->before;
	r->after = a->after;
	if (a->culprit && !r->culprit)
		r->culprit = pb_xstrdup(a->culprit);
	if (a->bisect && !r->bisect_doc) {
		path = pb_xasprintf("%s/%s", n->h.dir, a->bisect);
		/* A stored result is checked like any input before the summary uses it. */
		if (pb_json_parse_file(&r->bisect_doc, path) ||
		    pb_schema_check(r->bisect_doc, &pb_bisect_schema, path)) {
			pb_warn("%s", pb_error_message());
			pb_error_clear();
			pb_json_free(r->bisect_doc);
			r->bisect_doc = NULL;
		}
		if (!r->bisect)
			r->bisect = pb_xstrdup(path);
		free(path);
	}
	if (a->report && !r->report)
		r->report = pb_xasprintf("%s/%s", n->h.dir, a->report);
}

/* Alert what is new, bisect it, recover what came back; the list of new and open regressions. */
static int detect(struct night *n)
{
	struct pb_nightly_result *res = n->res;
	const struct pb_series *s = &res->series;
	size_t p = res->position, k, first_new = n->h.n_alerts;
	const struct pb_change_point *cp;
	struct pb_history_alert *a;
	struct pb_nightly_regression *r;
	bool same_code;

	if (!res->backfill && compare_newest(n, p))
		return -1;
	same_code = p > 0 && s->points[p].text_hash &&
		    s->points[p].text_hash == s->points[p - 1].text_hash;
	if (res->compared && res->newest.verdict == PB_VERDICT_SLOWER && !known_change(n, p, 0)) {
		if (same_code)
			pb_note("%.7s is slower than its baseline, but its code (.text) is the same as "
				"%.7s's: not a change of the code, not alerted", s->points[p].commit,
				s->points[p - 1].commit);
		else
			new_alert(n, p, res->baseline_median, s->points[p].median);
	}
	for (k = 0; k < s->n_cps; k++) {
		cp = &s->cps[k];
		/* The revision's own point is judged by the two-sample verdict above. */
		if ((cp->index == p && !res->backfill) || cp->rel_change < n->min_effect ||
		    known_change(n, cp->index, 1))
			continue;
		new_alert(n, cp->index, cp->mean_before, cp->mean_after);
	}
	/* Recovery: the level is back within min_effect of where it was before. */
	for (k = 0; k < first_new; k++) {
		a = &n->h.alerts[k];
		if (is_key(n, a) && a->status == PB_ALERT_OPEN && position_of(s, a->bad) < p &&
		    s->points[p].median <= a->before * (1 + n->min_effect)) {
			a->status = PB_ALERT_RECOVERED;
			pb_note("the regression at %.7s has recovered (%.6g, before %.6g)", a->bad,
				s->points[p].median, a->before);
		}
	}
	for (k = first_new; k < n->h.n_alerts; k++) {
		a = &n->h.alerts[k];
		if (a->status != PB_ALERT_OPEN)
			continue;
		r = add_reg(res);
		r->is_new = true;
		r->found_by = strcmp(a->bad, res->commit) == 0 && !res->backfill ? "newest" :
										     "change-point";
		res->regression = true;
		if (bisect_alert(n, a, r))
			return -1;
		fill_reg(n, a, r);
	}
	for (k = 0; k < first_new; k++)
		if (is_key(n, &n->h.alerts[k]) && n->h.alerts[k].status == PB_ALERT_OPEN)
			fill_reg(n, &n->h.alerts[k], add_reg(res));
	return pb_history_save(&n->h);
}

/* ---- The run ---- */

static int setup(struct night *n)
{
	const struct pb_nightly_opts *o = n->o;
	struct pb_runner *probe = NULL;
	char host[256];
	uint64_t h;

	n->bench = pb_config_bench(n->cfg, o->bench);
	if (!n->bench)
		return -1;
	pb_runner_opts_from_config(&n->tmpl, n->cfg, n->bench);
	if (o->backend)
		n->tmpl.backend = o->backend;
	if (o->metric)
		n->tmpl.metric = o->metric;
	if (o->cpus)
		n->tmpl.cpus = o->cpus;
	n->tmpl.stop = o->stop;
	/* The backend, resolved now: a bad metric or an unusable backend fails before any build. */
	if (pb_runner_new(&probe, &n->tmpl))
		return -1;
	n->backend = pb_xstrdup(pb_runner_backend(probe));
	n->exact = strcmp(n->backend, "cachegrind") == 0;
	pb_runner_free(probe);
	h = pb_config_bench_hash(n->cfg, n->bench);
	h = pb_hash64(n->backend, strlen(n->backend), h);
	h = pb_hash64(n->tmpl.metric, strlen(n->tmpl.metric), h);
	n->config = pb_xasprintf("%016" PRIx64, h);
	if (o->machine) {
		n->machine = pb_xstrdup(o->machine);
	} else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "unknown");
		host[sizeof(host) - 1] = '\0';
		n->machine = pb_xstrdup(host);
	}
	n->alpha = o->alpha >= 0 ? o->alpha : n->cfg->stats.alpha;
	n->min_effect = o->min_effect >= 0 ? o->min_effect : n->cfg->stats.min_effect;
	n->cp.window = o->window ? o->window : PB_CP_WINDOW;
	n->cp.max_pvalue = o->max_pvalue > 0 ? o->max_pvalue : PB_CP_MAX_PVALUE;
	n->cp.min_magnitude = n->min_effect;
	return 0;
}

int pb_nightly_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_nightly_opts *o,
		   struct pb_nightly_result *res)
{
	struct night n;
	const struct pb_series_point *pt;
	int rc, ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&n, 0, sizeof(n));
	n.h.lock_fd = -1;
	n.repo = repo;
	n.cfg = cfg;
	n.o = o;
	n.res = res;
	res->history = pb_xstrdup(o->history);
	res->backfill = o->backfill != NULL;
	if (setup(&n) || pb_history_open(&n.h, o->history, o->wait))
		goto out;
	if (o->backfill) {
		if (backfill(&n))
			goto out;
	} else {
		if (pb_repo_resolve(repo, o->rev ? o->rev : "HEAD", res->commit))
			goto out;
		rc = ensure_point(&n, res->commit, 1, 1);
		if (rc < 0)
			goto out;
		res->measured = rc > 0;
		if (!res->measured)
			pb_note("%.7s is in the history already: not measured again", res->commit);
	}
	if (o->progress)
		pb_progress_done(o->progress);
	if (pb_history_find(&n.h, n.bench->name, n.machine, n.config, res->commit) < 0) {
		pb_error("--backfill: %.7s could not be measured; nothing to detect", res->commit);
		goto out;
	}
	if (pb_series_load(&res->series, &n.h, n.bench->name, n.machine, n.config, &n.cp))
		goto out;
	res->position = position_of(&res->series, res->commit);
	pt = &res->series.points[res->position];
	res->subject = pt->subject ? pb_xstrdup(pt->subject) : NULL;
	res->median = pt->median;
	res->runs = pt->runs;
	ret = detect(&n);
out:
	if (o->progress)
		pb_progress_done(o->progress);
	pb_history_close(&n.h);
	free(n.machine);
	free(n.config);
	free(n.backend);
	return ret;
}

void pb_nightly_result_release(struct pb_nightly_result *res)
{
	size_t i;

	for (i = 0; i < res->n_regs; i++) {
		free(res->regs[i].bad_subject);
		free(res->regs[i].culprit);
		free(res->regs[i].bisect_status);
		free(res->regs[i].bisect);
		free(res->regs[i].report);
		pb_json_free(res->regs[i].bisect_doc);
	}
	free(res->regs);
	free(res->history);
	free(res->subject);
	pb_series_release(&res->series);
	memset(res, 0, sizeof(*res));
}

int pb_nightly_exit_code(const struct pb_nightly_result *res)
{
	return res->regression ? PB_EXIT_REGRESSION : PB_EXIT_OK;
}
