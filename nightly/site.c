/* site.c: the history as a static site (index.html, a page per benchmark, reports copied beside them). */
#include "nightly/site.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"
#include "measure/stats.h"
#include "nightly/nightly.h"
#include "render/format.h"
#include "render/series.h"
#include "render/svg.h"

/* One series as its page shows it. */
struct view {
	struct pb_series s;
	double *lo, *hi;       /* each point's 95% CI (NaN: unknown) */
	char **texts;          /* each point's value as shown on hover */
	char **hrefs;          /* each point's report link, or NULL */
	char **dates;          /* each point's commit date, or NULL (borrowed from the history) */
	size_t *alerts;        /* indices into h->alerts of the series' alerts */
	size_t n_alerts;
	size_t *alert_points;  /* the point of each alert (its `bad` commit); n_points when absent */
	bool *copied;          /* each alert's report is in the site */
};

/* A benchmark: its page and its series, newest series first. */
struct bench {
	const char *name;      /* borrowed from the history */
	char *page;            /* file name of its page */
	struct view *views;
	size_t n_views;
};

static const char css[] =
	"body{font:14px/1.45 sans-serif;color:#212529;max-width:920px;margin:1.5em auto;padding:0 1em}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{padding:.25em .6em;border-bottom:1px solid #dee2e6;text-align:left;vertical-align:top}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"code{font-family:monospace}.open{color:#c92a2a;font-weight:bold}.muted{color:#6c757d}"
	"figure{margin:0}figure svg{max-width:100%;height:auto}tr:target{background:#fff3bf}"
	"#tip{position:absolute;background:#fff;border:1px solid #495057;border-radius:3px;"
	"padding:.3em .5em;font-size:12px;white-space:pre-line;pointer-events:none;"
	"box-shadow:1px 1px 4px rgba(0,0,0,.25);max-width:420px}";

/* The page script: the tooltip of a point (commit, subject, value, CI) on hover or focus. Plain
 * links do the clicking, so a page works without it too. */
static const char script[] =
	"(function () {\n"
	"  var tip = document.getElementById('tip');\n"
	"  function show(ev) {\n"
	"    var g = ev.currentTarget, d = g.dataset, r = g.getBoundingClientRect();\n"
	"    tip.textContent = d.label + (d.tip ? ' ' + d.tip : '') + '\\n' + d.value +\n"
	"      (g.classList.contains('rep') ? '\\nclick: the bisect report' : '');\n"
	"    tip.hidden = false;\n"
	"    var left = r.right + 6;\n"
	"    if (left + tip.offsetWidth > document.documentElement.clientWidth)\n"
	"      left = Math.max(0, r.left - 6 - tip.offsetWidth);\n"
	"    tip.style.left = (window.scrollX + left) + 'px';\n"
	"    tip.style.top = (window.scrollY + r.top - 6) + 'px';\n"
	"  }\n"
	"  function hide() { tip.hidden = true; }\n"
	"  var pts = document.querySelectorAll('.pt');\n"
	"  for (var i = 0; i < pts.length; i++) {\n"
	"    pts[i].addEventListener('mouseenter', show);\n"
	"    pts[i].addEventListener('mouseleave', hide);\n"
	"  }\n"
	"})();\n";

/* A value for people through the one formatter (render/format.h): a time metric in its unit
 * ("1.60 s", "17.3 ms"), anything else with an SI prefix ("2.63 G", "15.2 k"). */
static void fmt_value(char *out, size_t size, double v, const char *metric)
{
	if (!isfinite(v))
		snprintf(out, size, "?");
	else
		pb_fmt_metric(out, size, v, metric);
}

static void esc(struct pb_buf *b, const char *s)
{
	pb_xml_escape(b, s ? s : "");
}

static void page_begin(struct pb_buf *b, const char *title)
{
	pb_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"generator\" content=\"placebisect\">\n<title>");
	esc(b, title);
	pb_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

static void page_end(struct pb_buf *b, bool with_script)
{
	if (with_script)
		pb_buf_printf(b, "<div id=\"tip\" hidden></div>\n<script>\n%s</script>\n", script);
	pb_buf_puts(b, "</body>\n</html>\n");
}

/* ---- Reports: copied beside the pages ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* An alert's file (relative to the history) must stay inside reports/: the index is input. */
static int check_rel(const struct pb_history *h, const char *rel, size_t alert, const char *key)
{
	if (strncmp(rel, "reports/", 8) != 0 || strstr(rel, "..") || strchr(rel + 8, '/'))
		return pb_error("%s/index.json: alerts[%zu].%s: '%s' is not a file in the history's "
				"reports/ directory; the index is damaged (restore it from a copy)",
				h->dir, alert, key, rel);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	struct pb_buf data = PB_BUF_INIT;
	int ret = pb_buf_read_file(&data, from);

	if (ret == 0)
		ret = pb_atomic_write(to, data.data, data.len);
	pb_buf_release(&data);
	return ret;
}

/* Copy an alert's report (and its plots, STEM-*.svg) and bisect result. *copied: the report was
 * there (a history whose reports were pruned still makes a site). Returns 0 or -1. */
static int copy_report(const struct pb_history *h, const struct pb_history_alert *a, size_t ai,
		       const char *dir, bool *copied)
{
	char *from = NULL, *to = NULL, *rdir = NULL, *stem = NULL;
	DIR *d = NULL;
	struct dirent *de;
	int ret = -1;

	*copied = false;
	if (check_rel(h, a->report, ai, "report") ||
	    (a->bisect && check_rel(h, a->bisect, ai, "bisect")))
		return -1;
	from = pb_xasprintf("%s/%s", h->dir, a->report);
	if (access(from, R_OK) != 0) {
		ret = 0;
		goto out;
	}
	rdir = pb_xasprintf("%s/reports", dir);
	to = pb_xasprintf("%s/%s", dir, a->report);
	if (pb_mkdir_p(rdir) || copy_file(from, to))
		goto out;
	if (a->bisect) {
		free(from);
		free(to);
		from = pb_xasprintf("%s/%s", h->dir, a->bisect);
		to = pb_xasprintf("%s/%s", dir, a->bisect);
		if (access(from, R_OK) == 0 && copy_file(from, to))
			goto out;
	}
	/* The report's plots: STEM-NAME.svg beside it (report/report.c names them so). */
	stem = pb_xstrndup(a->report + 8, strlen(a->report + 8) - (ends_with(a->report, ".md") ? 3 : 0));
	free(from);
	from = pb_xasprintf("%s/reports", h->dir);
	d = opendir(from);
	while (d && (de = readdir(d))) {
		size_t len = strlen(stem);
		char *src, *dst;
		int rc;

		if (strncmp(de->d_name, stem, len) != 0 || de->d_name[len] != '-' ||
		    !ends_with(de->d_name, ".svg"))
			continue;
		src = pb_xasprintf("%s/%s", from, de->d_name);
		dst = pb_xasprintf("%s/%s", rdir, de->d_name);
		rc = copy_file(src, dst);
		free(src);
		free(dst);
		if (rc)
			goto out;
	}
	*copied = true;
	ret = 0;
out:
	if (d)
		closedir(d);
	free(from);
	free(to);
	free(rdir);
	free(stem);
	return ret;
}

/* ---- Loading ---- */

static void view_release(struct view *v)
{
	size_t i;

	for (i = 0; i < v->s.n_points; i++) {
		free(v->texts[i]);
		free(v->hrefs[i]);
	}
	free(v->texts);
	free(v->hrefs);
	free(v->dates);
	free(v->lo);
	free(v->hi);
	free(v->alerts);
	free(v->alert_points);
	free(v->copied);
	pb_series_release(&v->s);
}

/* Each point's CI from its runs, and the text shown on hover. A measurement file that cannot be
 * read only costs that point its CI. */
static void view_points(struct view *v, const struct pb_history *h)
{
	struct pb_buf t = PB_BUF_INIT;
	char a[32], b[32], c[32];
	size_t i, n;

	v->lo = pb_xcalloc(v->s.n_points + 1, sizeof(*v->lo));
	v->hi = pb_xcalloc(v->s.n_points + 1, sizeof(*v->hi));
	v->texts = pb_xcalloc(v->s.n_points + 1, sizeof(*v->texts));
	v->hrefs = pb_xcalloc(v->s.n_points + 1, sizeof(*v->hrefs));
	v->dates = pb_xcalloc(v->s.n_points + 1, sizeof(*v->dates));
	for (i = 0; i < v->s.n_points; i++) {
		const struct pb_series_point *p = &v->s.points[i];
		long e = pb_history_find(h, v->s.benchmark, v->s.machine, v->s.config, p->commit);
		struct pb_summary sum;
		double *x = NULL;

		v->lo[i] = v->hi[i] = NAN;
		if (e >= 0) {
			v->dates[i] = h->entries[e].date;
			if (pb_history_values(h, &h->entries[e], &x, &n) == 0 && n > 1) {
				pb_stats_summary(x, n, &sum);
				v->lo[i] = sum.ci95[0];
				v->hi[i] = sum.ci95[1];
			}
			pb_error_clear();
			free(x);
		}
		fmt_value(a, sizeof(a), p->median, v->s.metric);
		pb_buf_reset(&t);
		pb_buf_printf(&t, "%s: %s", v->s.metric, a);
		if (isfinite(v->lo[i])) {
			fmt_value(b, sizeof(b), v->lo[i], v->s.metric);
			fmt_value(c, sizeof(c), v->hi[i], v->s.metric);
			pb_buf_printf(&t, ", 95%% CI %s to %s", b, c);
		}
		pb_buf_printf(&t, " (%lld %s)", (long long)p->runs,
			      pb_plural((size_t)p->runs, "run", "runs"));
		v->texts[i] = pb_xstrdup(t.data);
	}
	pb_buf_release(&t);
}

static size_t point_of(const struct pb_series *s, const char *commit)
{
	size_t i;

	for (i = 0; i < s->n_points; i++)
		if (strcmp(s->points[i].commit, commit) == 0)
			return i;
	return s->n_points;
}

/* The series' alerts; their reports copied and linked from the alert's first bad point. */
static int view_alerts(struct view *v, const struct pb_history *h, const char *dir,
		       struct pb_site_result *res)
{
	size_t i, at;
	bool copied;

	v->alerts = pb_xcalloc(h->n_alerts + 1, sizeof(*v->alerts));
	v->alert_points = pb_xcalloc(h->n_alerts + 1, sizeof(*v->alert_points));
	v->copied = pb_xcalloc(h->n_alerts + 1, sizeof(*v->copied));
	for (i = 0; i < h->n_alerts; i++) {
		const struct pb_history_alert *a = &h->alerts[i];

		if (strcmp(a->benchmark, v->s.benchmark) != 0 || strcmp(a->machine, v->s.machine) != 0 ||
		    strcmp(a->config, v->s.config) != 0)
			continue;
		at = point_of(&v->s, a->bad);
		v->alerts[v->n_alerts] = i;
		v->alert_points[v->n_alerts++] = at;
		if (!a->report)
			continue;
		if (copy_report(h, a, i, dir, &copied))
			return -1;
		if (!copied) {
			res->missing++;
			continue;
		}
		res->reports++;
		v->copied[v->n_alerts - 1] = true;
		if (at < v->s.n_points && !v->hrefs[at])
			v->hrefs[at] = pb_xstrdup(a->report);
	}
	return 0;
}

/* The benchmarks, in name order, each with its series, the one recorded last first. */
static int load(const struct pb_history *h, const char *dir, const struct pb_cp_opts *cp,
		struct bench **out, size_t *n_out, struct pb_site_result *res)
{
	struct bench *b = NULL;
	size_t n = 0, i, j, k;

	for (i = 0; i < h->n_entries; i++) {
		for (j = 0; j < n && strcmp(b[j].name, h->entries[i].benchmark) != 0; j++)
			;
		if (j == n) {
			b = pb_xrealloc(b, (n + 1) * sizeof(*b));
			memset(&b[n], 0, sizeof(*b));
			b[n++].name = h->entries[i].benchmark;
		}
	}
	for (i = 1; i < n; i++) /* few benchmarks: insertion sort by name */
		for (j = i; j > 0 && strcmp(b[j - 1].name, b[j].name) > 0; j--) {
			struct bench t = b[j];
			b[j] = b[j - 1];
			b[j - 1] = t;
		}
	*out = b;
	*n_out = n;
	for (j = 0; j < n; j++) {
		/* Newest entry first: a series is listed at its most recent point. */
		for (i = h->n_entries; i-- > 0;) {
			const struct pb_history_entry *e = &h->entries[i];
			struct view *v;

			if (strcmp(e->benchmark, b[j].name) != 0)
				continue;
			for (k = 0; k < b[j].n_views; k++)
				if (strcmp(b[j].views[k].s.machine, e->machine) == 0 &&
				    strcmp(b[j].views[k].s.config, e->config) == 0)
					break;
			if (k < b[j].n_views)
				continue;
			b[j].views = pb_xrealloc(b[j].views, (b[j].n_views + 1) * sizeof(*b[j].views));
			v = &b[j].views[b[j].n_views++];
			memset(v, 0, sizeof(*v));
			if (pb_series_load(&v->s, h, b[j].name, e->machine, e->config, cp))
				return -1;
			view_points(v, h);
			if (view_alerts(v, h, dir, res))
				return -1;
			res->series++;
			res->points += v->s.n_points;
		}
	}
	return 0;
}

/* ---- Pages ---- */

/* File names: the benchmark's name made safe, never "index", never twice. */
static void name_pages(struct bench *b, size_t n)
{
	struct pb_buf name = PB_BUF_INIT;
	size_t i, j, tries;

	for (i = 0; i < n; i++) {
		for (tries = 1;; tries++) {
			pb_buf_reset(&name);
			pb_history_put_safe(&name, b[i].name);
			if (tries > 1 || strcmp(name.data, "index") == 0)
				pb_buf_printf(&name, "-%zu", tries);
			pb_buf_puts(&name, ".html");
			for (j = 0; j < i && strcmp(b[j].page, name.data) != 0; j++)
				;
			if (j == i)
				break;
		}
		b[i].page = pb_xstrdup(name.data);
	}
	pb_buf_release(&name);
}

/* "+13.8%" from a ratio of levels. */
static void put_change(struct pb_buf *b, double before, double after)
{
	if (isfinite(before) && isfinite(after) && before != 0)
		pb_buf_printf(b, "%+.1f%%", (after / before - 1) * 100);
	else
		pb_buf_puts(b, "?");
}

/* A commit, short, the full id on hover (escaped: a culprit is any string of the index). */
static void put_commit(struct pb_buf *b, const char *commit)
{
	char *short_id = pb_xstrndup(commit, 7);

	pb_buf_puts(b, "<code title=\"");
	esc(b, commit);
	pb_buf_puts(b, "\">");
	esc(b, short_id);
	pb_buf_puts(b, "</code>");
	free(short_id);
}

static void put_series_title(struct pb_buf *b, const struct pb_series *s)
{
	pb_buf_puts(b, "on <b>");
	esc(b, s->machine);
	pb_buf_puts(b, "</b>: ");
	esc(b, s->metric);
	pb_buf_puts(b, " (");
	esc(b, s->backend);
	pb_buf_puts(b, "), config <code>");
	esc(b, s->config);
	pb_buf_puts(b, "</code>");
}

static void put_plot(struct pb_buf *b, const struct pb_history *h, const struct view *v, size_t sid)
{
	struct pb_series_plot p = { 0 };
	size_t n = v->s.n_points, i;
	double *values = pb_xcalloc(n + 1, sizeof(*values));
	char **labels = pb_xcalloc(n + 1, sizeof(*labels));
	const char **tips = pb_xcalloc(n + 1, sizeof(*tips)), **ids = pb_xcalloc(n + 1, sizeof(*ids));
	char **anchors = pb_xcalloc(n + 1, sizeof(*anchors));
	size_t *changes = pb_xcalloc(v->s.n_cps + 1, sizeof(*changes));
	size_t *alerts = pb_xcalloc(v->n_alerts + 1, sizeof(*alerts)), na = 0;
	char **atips = pb_xcalloc(v->n_alerts + 1, sizeof(*atips));
	char *title = pb_xasprintf("%s on %s: %s (%s)", v->s.benchmark, v->s.machine, v->s.metric,
				   v->s.backend);
	char *axis = pb_xstrdup(v->s.metric); /* the plot adds the unit: "wall (ms)" */

	for (i = 0; i < n; i++) {
		values[i] = v->s.points[i].median;
		labels[i] = pb_xstrndup(v->s.points[i].commit, 7);
		tips[i] = v->s.points[i].subject;
		ids[i] = v->s.points[i].commit;
		anchors[i] = pb_xasprintf("#s%zu-p%zu", sid, i); /* its row in the table below */
	}
	for (i = 0; i < v->s.n_cps; i++)
		changes[i] = v->s.cps[i].index;
	for (i = 0; i < v->n_alerts; i++)
		if (v->alert_points[i] < n) {
			const struct pb_history_alert *a = &h->alerts[v->alerts[i]];
			struct pb_buf t = PB_BUF_INIT;

			pb_buf_printf(&t, "alert (%s): ", pb_alert_status_name(a->status));
			put_change(&t, a->before, a->after);
			alerts[na] = v->alert_points[i];
			atips[na++] = pb_buf_detach(&t);
		}
	p.title = title;
	p.axis = axis;
	p.n = n;
	p.values = values;
	p.labels = (const char *const *)labels;
	p.tips = tips;
	p.changes = changes;
	p.n_changes = v->s.n_cps;
	p.ci_lo = v->lo;
	p.ci_hi = v->hi;
	p.alerts = alerts;
	p.alert_tips = (const char *const *)atips;
	p.n_alerts = na;
	p.ids = ids;
	p.texts = (const char *const *)v->texts;
	p.hrefs = (const char *const *)v->hrefs;
	p.anchors = (const char *const *)anchors;
	pb_buf_puts(b, "<figure>\n");
	pb_series_plot_html(&p, b);
	pb_buf_puts(b, "</figure>\n");
	for (i = 0; i < n; i++) {
		free(labels[i]);
		free(anchors[i]);
	}
	free(anchors);
	for (i = 0; i < na; i++)
		free(atips[i]);
	free(values);
	free(labels);
	free(tips);
	free(ids);
	free(changes);
	free(alerts);
	free(atips);
	free(title);
	free(axis);
}

/* The change point starting at point i, or NULL. */
static const struct pb_change_point *change_at(const struct pb_series *s, size_t i)
{
	size_t k;

	for (k = 0; k < s->n_cps; k++)
		if (s->cps[k].index == i)
			return &s->cps[k];
	return NULL;
}

static void put_points(struct pb_buf *b, const struct view *v, size_t sid)
{
	const struct pb_change_point *cp;
	char num[32];
	size_t i;

	pb_buf_puts(b, "<table class=\"points\">\n<thead><tr><th>#</th><th>commit</th><th>date</th>"
		       "<th>value</th><th>95% CI</th><th>runs</th><th>change</th><th>subject</th>"
		       "<th>report</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < v->s.n_points; i++) {
		const struct pb_series_point *p = &v->s.points[i];

		pb_buf_printf(b, "<tr id=\"s%zu-p%zu\"><td class=\"num\">%zu</td><td>", sid, i, i);
		put_commit(b, p->commit);
		pb_buf_puts(b, "</td><td>");
		esc(b, v->dates[i]);
		fmt_value(num, sizeof(num), p->median, v->s.metric);
		pb_buf_printf(b, "</td><td class=\"num\">%s</td><td class=\"num\">", num);
		if (isfinite(v->lo[i])) {
			fmt_value(num, sizeof(num), v->lo[i], v->s.metric);
			pb_buf_printf(b, "%s to ", num);
			fmt_value(num, sizeof(num), v->hi[i], v->s.metric);
			pb_buf_puts(b, num);
		}
		pb_buf_printf(b, "</td><td class=\"num\">%lld</td><td class=\"num\">", (long long)p->runs);
		if ((cp = change_at(&v->s, i)))
			put_change(b, cp->mean_before, cp->mean_after);
		pb_buf_puts(b, "</td><td>");
		esc(b, p->subject);
		pb_buf_puts(b, "</td><td>");
		if (v->hrefs[i]) {
			pb_buf_puts(b, "<a class=\"report\" href=\"");
			esc(b, v->hrefs[i]);
			pb_buf_puts(b, "\">report</a>");
		}
		pb_buf_puts(b, "</td></tr>\n");
	}
	pb_buf_puts(b, "</tbody>\n</table>\n");
}

/* The cells of alert k of a series: status, between, change, culprit, report. */
static void put_alert_cells(struct pb_buf *b, const struct pb_history *h, const struct view *v,
			    size_t k)
{
	const struct pb_history_alert *a = &h->alerts[v->alerts[k]];

	pb_buf_printf(b, "<td%s>%s</td><td>", a->status == PB_ALERT_OPEN ? " class=\"open\"" : "",
		      pb_alert_status_name(a->status));
	put_commit(b, a->good);
	pb_buf_puts(b, " and ");
	put_commit(b, a->bad);
	pb_buf_puts(b, "</td><td class=\"num\">");
	put_change(b, a->before, a->after);
	pb_buf_puts(b, "</td><td>");
	if (a->culprit)
		put_commit(b, a->culprit);
	else
		pb_buf_puts(b, "<span class=\"muted\">not bisected</span>");
	pb_buf_puts(b, "</td><td>");
	if (v->copied[k]) {
		pb_buf_puts(b, "<a href=\"");
		esc(b, a->report);
		pb_buf_puts(b, "\">report</a>");
		if (a->bisect) {
			pb_buf_puts(b, " · <a href=\"");
			esc(b, a->bisect);
			pb_buf_puts(b, "\">bisect result</a>");
		}
	} else if (a->report) {
		pb_buf_puts(b, "<span class=\"muted\">report not in the history</span>");
	}
	pb_buf_puts(b, "</td>");
}

#define ALERT_HEAD "<th>status</th><th>between</th><th>change</th><th>culprit</th><th>report</th>"

static void put_alerts(struct pb_buf *b, const struct pb_history *h, const struct view *v)
{
	size_t i;

	if (!v->n_alerts) {
		pb_buf_puts(b, "<p class=\"muted\">No alert.</p>\n");
		return;
	}
	pb_buf_puts(b, "<table class=\"alerts\">\n<thead><tr>" ALERT_HEAD "</tr></thead>\n<tbody>\n");
	for (i = 0; i < v->n_alerts; i++) {
		pb_buf_puts(b, "<tr>");
		put_alert_cells(b, h, v, i);
		pb_buf_puts(b, "</tr>\n");
	}
	pb_buf_puts(b, "</tbody>\n</table>\n");
}

static void bench_page(struct pb_buf *b, const struct pb_history *h, const struct bench *bn)
{
	size_t i;
	char *title = pb_xasprintf("%s: placebisect history", bn->name);

	page_begin(b, title);
	pb_buf_puts(b, "<p><a href=\"index.html\">all benchmarks</a></p>\n<h1>");
	esc(b, bn->name);
	pb_buf_puts(b, "</h1>\n<p class=\"muted\">Hover a point for its commit, value and 95% CI. "
		       "Dashed lines: change points; ringed points: alerts; a red point opens the "
		       "bisect report of its alert, any other point its row in the table.</p>\n");
	for (i = 0; i < bn->n_views; i++) {
		const struct view *v = &bn->views[i];

		pb_buf_printf(b, "<section id=\"s%zu\">\n<h2>", i);
		put_series_title(b, &v->s);
		pb_buf_printf(b, "</h2>\n<p>%zu %s, %zu change %s.</p>\n", v->s.n_points,
			      pb_plural(v->s.n_points, "point", "points"), v->s.n_cps,
			      pb_plural(v->s.n_cps, "point", "points"));
		put_plot(b, h, v, i);
		put_points(b, v, i);
		pb_buf_printf(b, "<h3 id=\"s%zu-alerts\">Alerts</h3>\n", i);
		put_alerts(b, h, v);
		pb_buf_puts(b, "</section>\n");
	}
	page_end(b, true);
	free(title);
}

/* A series' trend in words: its last change point, else "no change point". */
static void put_trend(struct pb_buf *b, const struct pb_series *s)
{
	const struct pb_change_point *cp = s->n_cps ? &s->cps[s->n_cps - 1] : NULL;

	if (!cp) {
		pb_buf_puts(b, "<span class=\"muted\">no change point</span>");
		return;
	}
	put_change(b, cp->mean_before, cp->mean_after);
	pb_buf_puts(b, " at ");
	put_commit(b, s->points[cp->index].commit);
}

/* Every alert of the history, open ones first, the newest first within each, with its benchmark. */
static void put_all_alerts(struct pb_buf *b, const struct pb_history *h, const struct bench *bn,
			   size_t n)
{
	size_t pass, i, j, k, rows = 0;

	pb_buf_puts(b, "<h2 id=\"alerts\">Alerts</h2>\n");
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			for (j = 0; j < bn[i].n_views; j++)
				for (k = bn[i].views[j].n_alerts; k-- > 0;) {
					const struct view *v = &bn[i].views[j];
					bool open = h->alerts[v->alerts[k]].status == PB_ALERT_OPEN;

					if (open != (pass == 0))
						continue;
					if (!rows++)
						pb_buf_puts(b, "<table class=\"alerts\">\n<thead><tr>"
							       "<th>benchmark</th><th>machine</th>" ALERT_HEAD
							       "</tr></thead>\n<tbody>\n");
					pb_buf_puts(b, "<tr><td><a href=\"");
					esc(b, bn[i].page);
					pb_buf_printf(b, "#s%zu-alerts\">", j);
					esc(b, bn[i].name);
					pb_buf_puts(b, "</a></td><td>");
					esc(b, v->s.machine);
					pb_buf_puts(b, "</td>");
					put_alert_cells(b, h, v, k);
					pb_buf_puts(b, "</tr>\n");
				}
	if (rows)
		pb_buf_puts(b, "</tbody>\n</table>\n");
	else
		pb_buf_puts(b, "<p class=\"muted\">No alert.</p>\n");
}

static void index_page(struct pb_buf *b, const struct pb_history *h, const struct bench *bn, size_t n)
{
	size_t i, j, k, open, other;
	char num[32];

	page_begin(b, "placebisect history");
	pb_buf_printf(b, "<h1>Benchmark history</h1>\n<p>%zu %s.</p>\n", n,
		      pb_plural(n, "benchmark", "benchmarks"));
	pb_buf_puts(b, "<table class=\"benchmarks\">\n<thead><tr><th>benchmark</th><th>machine</th>"
		       "<th>metric</th><th>points</th><th>latest</th><th>commit</th><th>trend</th>"
		       "<th>last change</th><th>alerts</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < bn[i].n_views; j++) {
			const struct view *v = &bn[i].views[j];
			const struct pb_series_point *last = &v->s.points[v->s.n_points - 1];
			double *values = pb_xcalloc(v->s.n_points + 1, sizeof(*values));

			for (k = 0; k < v->s.n_points; k++)
				values[k] = v->s.points[k].median;
			pb_buf_puts(b, "<tr><td><a href=\"");
			esc(b, bn[i].page);
			pb_buf_printf(b, "#s%zu\">", j);
			esc(b, bn[i].name);
			pb_buf_puts(b, "</a></td><td>");
			esc(b, v->s.machine);
			pb_buf_puts(b, "</td><td>");
			esc(b, v->s.metric);
			fmt_value(num, sizeof(num), last->median, v->s.metric);
			pb_buf_printf(b, "</td><td class=\"num\">%zu</td><td class=\"num\">%s</td><td>",
				      v->s.n_points, num);
			put_commit(b, last->commit);
			pb_buf_puts(b, "</td><td>");
			pb_series_sparkline(values, v->s.n_points, 120, 24, b);
			pb_buf_puts(b, "</td><td>");
			put_trend(b, &v->s);
			for (k = 0, open = 0, other = 0; k < v->n_alerts; k++)
				if (h->alerts[v->alerts[k]].status == PB_ALERT_OPEN)
					open++;
				else
					other++;
			pb_buf_puts(b, "</td><td>");
			if (open || other) {
				pb_buf_puts(b, "<a href=\"");
				esc(b, bn[i].page);
				pb_buf_printf(b, "#s%zu-alerts\">", j);
			}
			if (open)
				pb_buf_printf(b, "<span class=\"open\">%zu open</span>%s", open, other ? ", " : "");
			if (other)
				pb_buf_printf(b, "%zu closed", other);
			if (open || other)
				pb_buf_puts(b, "</a>");
			else
				pb_buf_puts(b, "<span class=\"muted\">none</span>");
			pb_buf_puts(b, "</td></tr>\n");
			free(values);
		}
	pb_buf_puts(b, "</tbody>\n</table>\n");
	put_all_alerts(b, h, bn, n);
	pb_buf_puts(b, "<p class=\"muted\">Written by placebisect from the history's index.json.</p>\n");
	page_end(b, false);
}

int pb_site_write(const struct pb_history *h, const char *dir, const struct pb_cp_opts *cp,
		  struct pb_site_result *res)
{
	struct bench *bn = NULL;
	struct pb_buf page = PB_BUF_INIT;
	size_t n = 0, i;
	char *path = NULL;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (!h->n_entries)
		return pb_error("%s: the history has no point yet: nothing to show ('placebisect "
				"nightly --history %s' records one)", h->dir, h->dir);
	if (pb_mkdir_p(dir) || load(h, dir, cp, &bn, &n, res))
		goto out;
	name_pages(bn, n);
	for (i = 0; i < n; i++) {
		pb_buf_reset(&page);
		bench_page(&page, h, &bn[i]);
		free(path);
		path = pb_xasprintf("%s/%s", dir, bn[i].page);
		if (pb_atomic_write(path, page.data, page.len))
			goto out;
	}
	pb_buf_reset(&page);
	index_page(&page, h, bn, n);
	free(path);
	path = pb_xasprintf("%s/index.html", dir);
	if (pb_atomic_write(path, page.data, page.len))
		goto out;
	res->index = path;
	path = NULL;
	res->benchmarks = n;
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < bn[i].n_views; k++)
			view_release(&bn[i].views[k]);
		free(bn[i].views);
		free(bn[i].page);
	}
	free(bn);
	free(path);
	pb_buf_release(&page);
	return ret;
}

int pb_site_write_history(const char *history, const char *dir, const struct pb_cp_opts *cp,
			  struct pb_site_result *res)
{
	struct pb_history h;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = pb_history_open(&h, history, -1);
	if (ret == 0)
		ret = pb_site_write(&h, dir, cp, res);
	pb_history_close(&h);
	return ret;
}

void pb_site_result_release(struct pb_site_result *res)
{
	free(res->index);
	memset(res, 0, sizeof(*res));
}

void pb_site_write_json(const struct pb_site_result *res, struct pb_jsonw *w)
{
	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_SITE_SCHEMA);
	pb_jsonw_string(w, "index", res->index);
	pb_jsonw_int(w, "benchmarks", (int64_t)res->benchmarks);
	pb_jsonw_int(w, "series", (int64_t)res->series);
	pb_jsonw_int(w, "points", (int64_t)res->points);
	pb_jsonw_int(w, "reports", (int64_t)res->reports);
	pb_jsonw_int(w, "missing", (int64_t)res->missing);
	pb_jsonw_end(w);
}

void pb_site_format(const struct pb_site_result *res, struct pb_buf *out)
{
	pb_buf_printf(out, "History site: %s: %zu %s, %zu series, %zu %s, %zu %s", res->index,
		      res->benchmarks, pb_plural(res->benchmarks, "benchmark", "benchmarks"),
		      res->series, res->points, pb_plural(res->points, "point", "points"),
		      res->reports, pb_plural(res->reports, "report", "reports"));
	if (res->missing)
		pb_buf_printf(out, " (%zu more named by the index but not in the history)", res->missing);
	pb_buf_puts(out, ".\n");
}
