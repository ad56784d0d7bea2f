/* explain.c: gathers the evidence for the verdict: hot set, layout diff, counters, the commit's diff. */
#include "bisect/explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/commit.h"
#include "core/error.h"
#include "core/log.h"
#include "layout/diff.h"
#include "layout/objects.h"
#include "profile/profile.h"
#include "render/format.h"

/* Names cachegrind gives code it cannot name: never hot functions of the binary. */
static bool nameable(const char *name)
{
	return strcmp(name, "???") != 0 && strncmp(name, "0x", 2) != 0;
}

static double i1_of(const struct pb_measurement *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_functions; i++)
		if (strcmp(m->functions[i].name, name) == 0)
			return m->functions[i].i1mr;
	return NAN;
}

/*
 * The smallest set of the culprit's functions covering PB_EXPLAIN_HOT_COVER of its Ir (names
 * borrowed from cm), and their costs into a->hot.
 */
static const char **hot_from_costs(const struct pb_measurement *pm, const struct pb_measurement *cm,
				   size_t *n, struct pb_attribution *a)
{
	const char **names = pb_xcalloc(cm->n_functions + 1, sizeof(*names));
	double total = 0, sum = 0;
	size_t i;

	*n = 0;
	for (i = 0; i < cm->n_functions; i++)
		total += cm->functions[i].ir;
	a->hot = pb_xcalloc(cm->n_functions + 1, sizeof(*a->hot));
	/* cm->functions is sorted by Ir, heaviest first. */
	for (i = 0; i < cm->n_functions && sum < PB_EXPLAIN_HOT_COVER * total; i++) {
		const struct pb_function_cost *f = &cm->functions[i];

		sum += f->ir;
		if (!nameable(f->name))
			continue;
		names[(*n)++] = f->name;
		a->hot[a->n_hot].name = pb_xstrdup(f->name);
		a->hot[a->n_hot].share = total > 0 ? f->ir / total : 0;
		a->hot[a->n_hot].i1_culprit = f->i1mr;
		a->hot[a->n_hot].i1_parent = i1_of(pm, f->name);
		a->n_hot++;
	}
	return names;
}

/*
 * The functions of the culprit's own binary covering PB_EXPLAIN_HOT_COVER of a sampled profile of
 * one run (names owned by *names), and their shares into a->hot. 0, or -1 when sampling failed.
 */
static int hot_from_profile(const struct pb_attribute_in *in, char ***names, size_t *n,
			    struct pb_attribution *a)
{
	struct pb_runner_opts o = *in->tmpl;
	struct pb_profile p;
	char *cmd = pb_config_expand(in->command, &(struct pb_placeholders){
		in->culprit->binary, in->worktree, in->config_dir, in->culprit->prefix });
	double sum = 0;
	const char *obj = in->culprit->binary;
	size_t i;
	int ret;

	pb_profile_init(&p);
	o.shell = cmd;
	o.argv = NULL;
	o.cwd = in->worktree;
	ret = pb_profile_run(&o, false, 999, &p);
	/* The hot code may live in a library of the build: the object of the hottest function that
	 * is the binary or inside the build's directory is the one whose layout is compared. */
	for (i = 0; ret == 0 && i < p.n_fns; i++)
		if (p.fns[i].object && in->culprit->dir &&
		    strncmp(p.fns[i].object, in->culprit->dir, strlen(in->culprit->dir)) == 0) {
			obj = p.fns[i].object;
			break;
		}
	*names = pb_xcalloc(p.n_fns + 1, sizeof(**names));
	a->hot = pb_xcalloc(p.n_fns + 1, sizeof(*a->hot));
	*n = 0;
	for (i = 0; ret == 0 && i < p.n_fns && sum < PB_EXPLAIN_HOT_COVER; i++) {
		sum += p.fns[i].share;
		if (!p.fns[i].object || strcmp(p.fns[i].object, obj) != 0)
			continue;
		(*names)[(*n)++] = pb_xstrdup(p.fns[i].name);
		a->hot[a->n_hot].name = pb_xstrdup(p.fns[i].name);
		a->hot[a->n_hot].share = p.fns[i].share;
		a->hot[a->n_hot].i1_parent = a->hot[a->n_hot].i1_culprit = NAN;
		a->n_hot++;
	}
	if (ret == 0)
		a->hot_source = pb_xasprintf("the culprit's functions with %.0f%% of %llu %s samples of "
					     "one run", PB_EXPLAIN_HOT_COVER * 100,
					     (unsigned long long)p.samples, p.event ? p.event : "");
	pb_profile_release(&p);
	free(cmd);
	return ret;
}

static int geometry(const struct pb_config *cfg, const char *backend, struct pb_l1i *g)
{
	if (cfg->layout.l1i)
		return pb_l1i_parse(g, cfg->layout.l1i, "layout.l1i");
	if (strcmp(backend, "cachegrind") == 0 && cfg->measure.cg_I1)
		return pb_l1i_parse(g, cfg->measure.cg_I1, "measure.cachegrind.I1");
	pb_l1i_host(g, NULL);
	return 0;
}

static struct pb_json *diff_document(const struct pb_layout_diff *d)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_json *doc = NULL;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &b, true);
	pb_layout_diff_write_json(d, &w);
	if (pb_json_parse(&doc, b.data, b.len, "layout diff"))
		doc = NULL; /* our own writer's output: cannot happen */
	pb_buf_release(&b);
	return doc;
}

static uint32_t *copy_sets(const struct pb_footprint *fp)
{
	uint32_t *s = pb_xcalloc(fp->n_sets + 1, sizeof(*s));

	memcpy(s, fp->set_lines, fp->n_sets * sizeof(*s));
	return s;
}

static void delta_part(struct pb_buf *b, const char *what, double a, double c)
{
	char x[48], y[48];

	pb_buf_printf(b, "%s %s → %s", what, pb_fmt_exact(x, sizeof(x), a), pb_fmt_exact(y, sizeof(y), c));
	if (a > 0)
		pb_buf_printf(b, " (%s)", pb_fmt_change(x, sizeof(x), c / a));
}

/* "the functions whose cost changed most under cachegrind (parent → culprit): f Ir a → b (+x%), ..." */
static void cite_deltas(struct pb_attribution *a)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t i;

	if (!a->n_deltas)
		return;
	pb_buf_puts(&b, "the functions whose cost changed most under cachegrind (parent → culprit): ");
	for (i = 0; i < a->n_deltas && i < PB_EXPLAIN_DELTAS_CITED; i++) {
		const struct pb_fn_delta *d = &a->deltas[i];

		pb_buf_printf(&b, "%s%s", i ? "; " : "", d->name);
		if (d->file)
			pb_buf_printf(&b, " (%s)", d->file);
		pb_buf_puts(&b, " ");
		delta_part(&b, "Ir", d->ir_a, d->ir_b);
		pb_buf_puts(&b, ", ");
		delta_part(&b, "I1 misses", d->i1_a, d->i1_b);
	}
	pb_attr_add_reason(&a->verdict, b.data);
	pb_buf_release(&b);
}

static const char *env_value(const char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/*
 * The culprit's object holding the hot code (layout/objects.h) and the parent's same object: at
 * the same path inside the parent's build directory when it is inside the culprit's, else the
 * same file. *name is what the report calls it. 0, or -1 with an error.
 */
static int objects(const struct pb_attribute_in *in, const struct pb_layout_opts *lo, char **pobj,
		   char **cobj, char **name)
{
	char *cdir = in->culprit->dir ? realpath(in->culprit->dir, NULL) : NULL;
	struct pb_objects_query q = {
		.binary = in->culprit->binary, .dir = cdir,
		.ld_library_path = env_value(in->env, "LD_LIBRARY_PATH"),
		.hot = lo->hot, .n_hot = lo->n_hot,
	};
	size_t n_found, len = cdir ? strlen(cdir) : 0;

	if (pb_objects_locate(&q, cobj, &n_found)) {
		free(cdir);
		return -1;
	}
	if (cdir && in->parent->dir && strncmp(*cobj, cdir, len) == 0 && (*cobj)[len] == '/') {
		*pobj = pb_xasprintf("%s%s", in->parent->dir, *cobj + len);
		*name = pb_xstrdup(*cobj + len + 1);
	} else {
		*pobj = pb_xstrdup(*cobj);
		*name = pb_xstrdup(*cobj);
	}
	if (strcmp(*cobj, in->culprit->binary) == 0) {
		free(*pobj);
		*pobj = pb_xstrdup(in->parent->binary);
	}
	free(cdir);
	return 0;
}

void pb_attribute(const struct pb_attribute_in *in, const struct pb_config *cfg,
		  struct pb_attribution *a)
{
	static const char *const instr[] = { "Ir", "instructions", NULL };
	static const char *const i1[] = { "I1mr", "L1-ICACHE-LOAD-MISSES", "L1-icache-load-misses", NULL };
	const struct pb_measurement *pm = &in->parent->m, *cm = &in->culprit->m;
	const struct pb_commit_info *ci = &in->culprit->info;
	struct pb_layout_opts lo = { 0 };
	struct pb_layout_diff *d = NULL;
	struct pb_attr_in vi = { 0 };
	const char **hot = NULL;
	char *why = NULL, **sampled = NULL, *pobj = NULL, *cobj = NULL, *why_object = NULL;
	size_t n_hot = 0, i;

	memset(a, 0, sizeof(*a));
	a->done = true;
	if (cfg->layout.hot[0]) {
		for (n_hot = 0; cfg->layout.hot[n_hot]; n_hot++)
			;
		lo.hot = (const char *const *)cfg->layout.hot;
		lo.n_hot = n_hot;
		a->hot_source = pb_xstrdup("layout.hot in the config");
	} else if (cm->n_functions) {
		hot = hot_from_costs(pm, cm, &n_hot, a);
		lo.hot = hot;
		lo.hot_elsewhere = true; /* cachegrind sees libc and the loader too */
		lo.n_hot = n_hot;
		a->hot_source = pb_xasprintf("the functions with %.0f%% of the culprit's instructions "
					     "under cachegrind",
					     PB_EXPLAIN_HOT_COVER * 100);
	} else if (in->tmpl && in->culprit->binary) {
		if (hot_from_profile(in, &sampled, &n_hot, a) == 0) {
			lo.hot = (const char *const *)sampled;
			lo.n_hot = n_hot;
		} else {
			pb_warn("no hot set from sampling the culprit: %s", pb_error_message());
		}
	}

	if (!in->parent->binary || !in->culprit->binary) {
		why = pb_xstrdup(cfg->build.binary ? "the parent's or the culprit's build has no binary"
				 : "build.binary is not configured, so there are no binaries to compare");
	} else if (objects(in, &lo, &pobj, &cobj, &a->object) || geometry(cfg, in->backend, &lo.l1i) ||
		   pb_layout_diff_new(&d, pobj, cobj, &lo)) {
		why = pb_xstrdup(pb_error_message());
		d = NULL;
	}
	if (d && a->object && strcmp(cobj, in->culprit->binary) != 0) {
		char *s = pb_xasprintf("the hot code lives in %s (not in build.binary): its layout in "
				       "the parent's and the culprit's builds is compared", a->object);

		why_object = s;
	}
	if (d) {
		if (!a->hot_source)
			a->hot_source = pb_xstrdup(d->good->source == PB_HOT_SECTION ?
						   "the .text.hot section" : "every function");
		a->layout = diff_document(d);
		a->sets_parent = copy_sets(&d->good->fp);
		a->sets_culprit = copy_sets(&d->bad->fp);
		a->n_sets = d->good->fp.n_sets;
		a->ways = d->good->l1i.ways;
	}

	vi.metric = in->metric;
	vi.effect_ratio = in->effect_ratio;
	vi.instructions.parent = pb_measurement_counter_any(pm, instr);
	vi.instructions.culprit = pb_measurement_counter_any(cm, instr);
	/* Cachegrind counts exactly; hardware counters wander by a few per mille. */
	vi.instr_tolerance = strcmp(in->backend, "cachegrind") == 0 ? 0.001 : 0.005;
	vi.i1_misses.parent = pb_measurement_counter_any(pm, i1);
	vi.i1_misses.culprit = pb_measurement_counter_any(cm, i1);
	vi.icache_mpki = (struct pb_pair){ pm->derived.icache_mpki, cm->derived.icache_mpki };
	vi.itlb_mpki = (struct pb_pair){ pm->derived.itlb_mpki, cm->derived.itlb_mpki };
	vi.frontend_pct = (struct pb_pair){ pm->derived.frontend_stall_pct,
					    cm->derived.frontend_stall_pct };
	vi.diff = d;
	vi.no_diff_reason = why;
	vi.hot_source = a->hot_source;
	vi.files = ci->n_files;
	vi.file_names = (const char *const *)ci->files;
	vi.insertions = ci->insertions;
	vi.deletions = ci->deletions;
	pb_attr_decide(&vi, &a->verdict);
	if (why_object)
		pb_attr_add_reason(&a->verdict, why_object);
	pb_fn_deltas(pm, cm, PB_EXPLAIN_DELTAS, &a->deltas, &a->n_deltas);
	/* Sources compiled in the private worktree are named relative to it (src/vm.c). */
	for (i = 0; in->worktree && i < a->n_deltas; i++) {
		const char *f = a->deltas[i].file;
		size_t len = strlen(in->worktree);

		if (f && strncmp(f, in->worktree, len) == 0 && f[len] == '/')
			a->deltas[i].file = f + len + 1;
	}
	cite_deltas(a);

	pb_layout_diff_free(d);
	free(pobj);
	free(cobj);
	free(why_object);
	free(hot);
	for (i = 0; sampled && sampled[i]; i++)
		free(sampled[i]);
	free(sampled);
	free(why);
}

void pb_attribution_release(struct pb_attribution *a)
{
	size_t i;

	for (i = 0; i < a->n_hot; i++)
		free(a->hot[i].name);
	free(a->hot);
	free(a->deltas);
	pb_attr_release(&a->verdict);
	free(a->hot_source);
	pb_json_free(a->layout);
	free(a->object);
	free(a->sets_parent);
	free(a->sets_culprit);
	memset(a, 0, sizeof(*a));
}

static void write_sets(struct pb_jsonw *w, const char *key, const uint32_t *s, uint32_t n)
{
	uint32_t i;

	pb_jsonw_array(w, key);
	for (i = 0; i < n; i++)
		pb_jsonw_int(w, NULL, s[i]);
	pb_jsonw_end(w);
}

void pb_attribution_write_json(const struct pb_attribution *a, struct pb_jsonw *w)
{
	size_t i;

	if (!a->done)
		return;
	if (a->layout)
		pb_jsonw_value(w, "layout", a->layout);
	if (a->sets_parent) {
		pb_jsonw_object(w, "l1i_sets");
		pb_jsonw_int(w, "sets", a->n_sets);
		pb_jsonw_int(w, "ways", a->ways);
		write_sets(w, "parent", a->sets_parent, a->n_sets);
		write_sets(w, "culprit", a->sets_culprit, a->n_sets);
		pb_jsonw_end(w);
	}
	pb_jsonw_object(w, "attribution");
	pb_attr_write_json(&a->verdict, w);
	pb_jsonw_string(w, "hot_source", a->hot_source);
	pb_jsonw_string(w, "object", a->object);
	pb_jsonw_array(w, "hot_functions");
	for (i = 0; i < a->n_hot; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", a->hot[i].name);
		pb_jsonw_number(w, "share", a->hot[i].share);
		pb_jsonw_number(w, "i1_misses_parent", a->hot[i].i1_parent);
		pb_jsonw_number(w, "i1_misses_culprit", a->hot[i].i1_culprit);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_array(w, "function_deltas");
	for (i = 0; i < a->n_deltas; i++) {
		const struct pb_fn_delta *d = &a->deltas[i];

		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", d->name);
		pb_jsonw_string(w, "file", d->file);
		pb_jsonw_number(w, "ir_parent", d->ir_a);
		pb_jsonw_number(w, "ir_culprit", d->ir_b);
		pb_jsonw_number(w, "i1_misses_parent", d->i1_a);
		pb_jsonw_number(w, "i1_misses_culprit", d->i1_b);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}
