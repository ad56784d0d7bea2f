/* layouts.c: is the culprit's effect there in every layout of the same code, or only in some? */
#include "bisect/layouts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/build.h"
#include "bisect/driver.h"
#include "core/atomic.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "layout/elf.h"
#include "layout/order.h"
#include "measure/repeat.h"

static const int alignments[] = { 1, 16, 64 };

void pb_layouts_init(struct pb_layouts_result *res)
{
	memset(res, 0, sizeof(*res));
	res->median = res->lo = res->hi = NAN;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void pb_layouts_release(struct pb_layouts_result *res)
{
	size_t i;

	free(res->benchmark);
	free(res->backend);
	free(res->metric);
	free(res->format);
	for (i = 0; i < res->n; i++) {
		free(res->l[i].order_file);
		free(res->l[i].cflags);
		free_list(res->l[i].recipe);
		free(res->l[i].error);
	}
	free(res->l);
	memset(res, 0, sizeof(*res));
}

int pb_layouts_configured(const struct pb_config *cfg)
{
	if (cfg->build.fix_env[0])
		return 0;
	return pb_error_as(PB_EXIT_USAGE, "--layouts: %s has no build.fix: a random layout is built "
			   "through it, e.g. \"fix\": {\"format\": \"ld\", \"env\": {\"CFLAGS\": "
			   "\"-O2 -ffunction-sections {cflags}\", \"LDFLAGS\": \"-Wl,-T,{order}\"}}",
			   cfg->path ? cfg->path : "the configuration");
}

/* `s` with every "{name}" replaced by `value` (caller frees). */
static char *replace(const char *s, const char *name, const char *value)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t len = strlen(name);
	const char *p;

	while ((p = strstr(s, name))) {
		pb_buf_add(&b, s, (size_t)(p - s));
		pb_buf_puts(&b, value);
		s = p + len;
	}
	pb_buf_puts(&b, s);
	return pb_buf_detach(&b);
}

/* Every function either build defines (names borrowed from the ELF files, kept open in elf[]). */
static int function_names(struct pb_driver *s, size_t pi, size_t ci, struct pb_elf *elf[2],
			  const char ***names, size_t *n)
{
	const char *bins[2] = { s->res->commits[pi].binary, s->res->commits[ci].binary };
	size_t k, i, cap = 0;

	*names = NULL;
	*n = 0;
	for (k = 0; k < 2; k++) {
		if (!bins[k])
			return pb_error_as(PB_EXIT_USAGE, "--layouts: build.binary is not configured: "
					   "there are no functions to lay out");
		if (pb_elf_open_quiet(&elf[k], bins[k])) {
			/* the message is formatted over the recorded one: copy it first */
			char *why = pb_xstrdup(pb_error_message());

			pb_error_as(PB_EXIT_USAGE, "--layouts: the functions of %.7s's build.binary %s "
				    "cannot be read (%s): a random layout needs an ELF build.binary",
				    s->ids[k ? ci : pi], bins[k], why);
			free(why);
			return -1;
		}
		cap += elf[k]->n_funcs;
	}
	*names = pb_xcalloc(cap + 1, sizeof(**names));
	for (k = 0; k < 2; k++)
		for (i = 0; i < elf[k]->n_funcs; i++)
			if (elf[k]->funcs[i].name && elf[k]->funcs[i].name[0])
				(*names)[(*n)++] = elf[k]->funcs[i].name;
	return 0;
}

/* Draw layout l's settings from its seed and write its order. */
static int draw(struct pb_driver *s, const struct pb_layouts_result *res, const char *const *names,
		size_t n_names, enum pb_order_format fmt, struct pb_layout_sample *l)
{
	const struct pb_config *cfg = s->cfg;
	struct pb_order order;
	struct pb_buf text = PB_BUF_INIT;
	uint64_t st = l->seed ^ 0x6c61796f75747321ULL; /* another stream than the shuffle's */
	bool uses_cflags = false;
	char *dir = NULL;
	size_t i, n_env = 0;
	int ret = -1;

	for (i = 0; cfg->build.fix_env[i]; i++) {
		n_env++;
		if (strstr(cfg->build.fix_env[i], "{cflags}"))
			uses_cflags = true;
	}
	if (uses_cflags)
		l->cflags = pb_xasprintf("-falign-functions=%d",
					 alignments[pb_order_random(&st) % PB_ARRAY_SIZE(alignments)]);
	else
		(void)pb_order_random(&st);
	l->env_pad = (long)(pb_order_random(&st) % (PB_LAYOUTS_MAX_ENV_PAD / 16 + 1)) * 16;
	l->aslr_off = pb_order_random(&st) & 1;
	pb_order_shuffle(names, n_names, l->seed, &order);
	pb_order_write(&order, fmt, &text);
	pb_order_release(&order);
	dir = pb_state_path(&s->st, "layouts");
	if (pb_mkdir_p(dir))
		goto out;
	l->order_file = pb_xasprintf("%s/%.12s-%.12s-seed%llu.%s", dir, res->parent, res->culprit,
				     (unsigned long long)l->seed, pb_order_format_name(fmt));
	if (pb_atomic_write(l->order_file, text.data, text.len))
		goto out;
	l->recipe = pb_xcalloc(n_env + 1, sizeof(*l->recipe));
	for (i = 0; i < n_env; i++) {
		char *t = replace(cfg->build.fix_env[i], "{order}", l->order_file);

		l->recipe[i] = replace(t, "{cflags}", l->cflags ? l->cflags : "");
		free(t);
	}
	ret = 0;
out:
	free(dir);
	pb_buf_release(&text);
	return ret;
}

/* Build parent and culprit under layout l and measure them interleaved. With `repeat` (an exact
 * backend's first layout), the culprit runs once more: two different values stop the command
 * (measure/repeat.h: a layout judged on one value per build would be judged on noise). -1 on
 * interruption or that. */
static int measure_layout(struct pb_driver *s, size_t pi, size_t ci, double alpha,
			  double min_effect, bool exact, bool repeat, struct pb_layout_sample *l,
			  size_t *built, size_t *cached)
{
	const struct pb_config *cfg = s->cfg;
	const struct pb_bench *bench = s->bench;
	struct pb_layout_variant lv = { 0 };
	struct pb_builder b;
	struct pb_runner_opts oa = s->tmpl, ob = s->tmpl;
	struct pb_measurement ma, mb;
	struct pb_buf key = PB_BUF_INIT;
	char *bin[2] = { NULL, NULL }, *pre[2] = { NULL, NULL }, *cmd[2] = { NULL, NULL };
	char *untimed[4] = { NULL, NULL, NULL, NULL };
	const char *id[2] = { s->ids[pi], s->ids[ci] };
	double *va = NULL, *vb = NULL;
	size_t na = 0, nb = 0, i;
	bool open = false;
	int ret = -1, k;

	pb_measurement_init(&ma);
	pb_measurement_init(&mb);
	/* Its own cache: the seed and the recipe (which names the order file) in the key. */
	pb_buf_printf(&key, "%llu\n", (unsigned long long)l->seed);
	for (i = 0; l->recipe[i]; i++)
		pb_buf_printf(&key, "%s\n", l->recipe[i]);
	lv.name = pb_xasprintf("layout%llu-%016llx", (unsigned long long)l->seed,
			       (unsigned long long)pb_hash64(key.data, key.len, PB_HASH64_SEED));
	lv.env = l->recipe;
	if (pb_builder_init_variant(&b, s->repo, &s->wt, &s->st, cfg, &lv)) {
		l->error = pb_xstrdup(pb_error_message());
		ret = 0;
		goto out;
	}
	open = true;
	b.rebuild_failed = s->o->rebuild_failed;
	b.progress = s->o->progress;
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "layout seed %llu: building %.7s and %.7s",
				   (unsigned long long)l->seed, id[0], id[1]);
	for (k = 0; k < 2; k++)
		if (pb_builder_get_binary(&b, id[k], &bin[k], &pre[k], &l->error))
			goto out;
	ret = 0;
	*built += (size_t)b.built;
	*cached += (size_t)b.cached;
	if (l->error)
		goto out;
	/* Both run from the culprit's checkout; only the binaries differ. */
	if (pb_worktree_checkout(&s->wt, s->repo, id[1])) {
		ret = -1;
		goto out;
	}
	for (k = 0; k < 2; k++)
		cmd[k] = pb_config_expand(bench->command, &(struct pb_placeholders){
			bin[k], s->wt.dir, cfg->dir, pre[k] });
	for (k = 0; k < 4; k++) {
		const char *t = k % 2 ? bench->setup : bench->prepare;

		if (t)
			untimed[k] = pb_config_expand(t, &(struct pb_placeholders){
				bin[k / 2], s->wt.dir, cfg->dir, pre[k / 2] });
	}
	oa.prepare = untimed[0];
	oa.setup = untimed[1];
	ob.prepare = untimed[2];
	ob.setup = untimed[3];
	oa.shell = cmd[0];
	ob.shell = cmd[1];
	oa.argv = ob.argv = NULL;
	oa.cwd = ob.cwd = s->wt.dir;
	oa.commit = id[0];
	ob.commit = id[1];
	oa.env_pad = ob.env_pad = l->env_pad;
	oa.no_aslr = ob.no_aslr = l->aslr_off;
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "layout seed %llu: measuring %.7s and %.7s",
				   (unsigned long long)l->seed, id[0], id[1]);
	if (pb_runner_measure_ab(&oa, &ob, &ma, &mb)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED) {
			ret = -1;
			goto out;
		}
		l->error = pb_xstrdup(pb_error_message());
		goto out;
	}
	va = pb_measurement_values(&ma, &na);
	vb = pb_measurement_values(&mb, &nb);
	if (!na || !nb) {
		l->error = pb_xstrdup("every run of the layout's builds failed");
		goto out;
	}
	if (repeat) {
		struct pb_measurement mc;
		double *vc = NULL;
		size_t nc = 0;
		char what[80];
		int rc;

		pb_measurement_init(&mc);
		rc = pb_runner_measure(&ob, &mc);
		if (rc == 0)
			vc = pb_measurement_values(&mc, &nc);
		snprintf(what, sizeof(what), "commit %.7s (layout seed %llu)", id[1],
			 (unsigned long long)l->seed);
		if (rc && pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			ret = -1;
		else if (rc)
			pb_error_clear(); /* not made: the layout's own runs stand as they are */
		else if (nc && pb_repeat_require(s->res->backend, what, vb[0], vc[0], "layouts"))
			ret = -1;
		free(vc);
		pb_measurement_release(&mc);
		if (ret)
			goto out;
	}
	l->runs = na < nb ? na : nb;
	l->parent = pb_stats_median(va, na);
	l->culprit = pb_stats_median(vb, nb);
	if (na == nb)
		pb_stats_compare_paired(va, vb, na, alpha, min_effect, &l->cmp);
	else
		pb_stats_compare(va, na, vb, nb, alpha, min_effect, &l->cmp);
	if (exact) {
		l->slower = l->cmp.ratio >= 1 + min_effect;
		l->faster = l->cmp.ratio <= 1 - min_effect;
	} else {
		l->slower = l->cmp.verdict == PB_VERDICT_SLOWER;
		l->faster = l->cmp.verdict == PB_VERDICT_FASTER;
	}
out:
	free(va);
	free(vb);
	for (k = 0; k < 2; k++) {
		free(bin[k]);
		free(pre[k]);
		free(cmd[k]);
	}
	for (k = 0; k < 4; k++)
		free(untimed[k]);
	pb_measurement_release(&ma);
	pb_measurement_release(&mb);
	if (open)
		pb_builder_release(&b);
	free(lv.name);
	pb_buf_release(&key);
	return ret;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The distribution over the measured layouts, and what it says. */
static void summarize(struct pb_layouts_result *res)
{
	double *r = pb_xcalloc(res->n + 1, sizeof(*r));
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct pb_layout_sample *l = &res->l[i];

		if (l->error || !isfinite(l->cmp.ratio))
			continue;
		r[res->measured++] = l->cmp.ratio;
		res->slower += l->slower;
		res->faster += l->faster;
	}
	if (res->measured) {
		qsort(r, res->measured, sizeof(*r), by_value);
		res->median = pb_stats_median(r, res->measured);
		res->lo = r[0];
		res->hi = r[res->measured - 1];
	}
	res->decided = res->measured >= 2;
	/* Present in every layout with the same sign, the whole spread above 1: the code's. */
	res->placement = res->decided && !(res->slower == res->measured && res->lo > 1) &&
			 !(res->faster == res->measured && res->hi < 1);
	free(r);
}

int pb_layouts_measure(struct pb_driver *s, size_t pi, size_t ci, size_t n, uint64_t seed,
		       double alpha, double min_effect, struct pb_layouts_result *res)
{
	const struct pb_config *cfg = s->cfg;
	struct pb_elf *elf[2] = { NULL, NULL };
	const char **names = NULL;
	enum pb_order_format fmt;
	size_t n_names = 0, i;
	int ret = -1;

	pb_layouts_init(res);
	memcpy(res->parent, s->ids[pi], PB_OID_HEX);
	memcpy(res->culprit, s->ids[ci], PB_OID_HEX);
	res->seed = seed;
	res->min_effect = min_effect;
	if (pb_layouts_configured(cfg) ||
	    pb_order_format_parse(cfg->build.fix_format ? cfg->build.fix_format : "gold",
				  "build.fix.format", &fmt))
		goto out;
	res->format = pb_xstrdup(pb_order_format_name(fmt));
	res->benchmark = pb_xstrdup(s->res->benchmark);
	res->backend = pb_xstrdup(s->res->backend);
	res->metric = pb_xstrdup(s->res->metric);
	res->exact = strcmp(res->backend, "cachegrind") == 0;
	if (function_names(s, pi, ci, elf, &names, &n_names))
		goto out;
	res->l = pb_xcalloc(n + 1, sizeof(*res->l));
	for (i = 0; i < n; i++) {
		struct pb_layout_sample *l = &res->l[i];

		res->n++;
		l->seed = seed + i;
		l->parent = l->culprit = l->cmp.ratio = NAN;
		if (draw(s, res, names, n_names, fmt, l) ||
		    measure_layout(s, pi, ci, alpha, min_effect, res->exact,
				   res->exact && !res->repeat_checked, l, &res->builds,
				   &res->builds_cached))
			goto out;
		if (l->error)
			pb_warn("--layouts: layout seed %llu: %s", (unsigned long long)l->seed, l->error);
		else
			res->repeat_checked = true; /* once: one extra run per command */
	}
	summarize(res);
	ret = 0;
out:
	free(names);
	pb_elf_free(elf[0]);
	pb_elf_free(elf[1]);
	return ret;
}

char *pb_layouts_sentence(const struct pb_layouts_result *res)
{
	struct pb_buf b = PB_BUF_INIT;

	pb_buf_printf(&b, "across %zu random %s: slower in %zu of %zu", res->n,
		      pb_plural(res->n, "layout", "layouts"), res->slower, res->measured);
	if (res->faster)
		pb_buf_printf(&b, ", faster in %zu", res->faster);
	if (res->measured)
		pb_buf_printf(&b, ", median %+.1f%%, range %+.1f%% to %+.1f%%", (res->median - 1) * 100,
			      (res->lo - 1) * 100, (res->hi - 1) * 100);
	if (res->measured < res->n)
		pb_buf_printf(&b, " (%zu could not be measured)", res->n - res->measured);
	if (!res->decided)
		pb_buf_puts(&b, ": too few layouts measured to say");
	else if (res->placement)
		pb_buf_printf(&b, ": the effect %s with the layout of the same code, so it is where the "
			      "code landed (code-placement)",
			      res->faster ? "flips" : res->slower ? "comes and goes" : "vanishes");
	else
		pb_buf_puts(&b, ": present in every layout with the same sign, so the code itself "
			    "(code-change)");
	return pb_buf_detach(&b);
}

void pb_layouts_write_json(const struct pb_layouts_result *res, const char *key, struct pb_jsonw *w)
{
	size_t i, k;

	pb_jsonw_object(w, key);
	if (!key)
		pb_jsonw_string(w, "schema", PB_LAYOUTS_SCHEMA);
	pb_jsonw_string(w, "parent", res->parent);
	pb_jsonw_string(w, "culprit", res->culprit);
	pb_jsonw_string(w, "benchmark", res->benchmark);
	pb_jsonw_string(w, "metric", res->metric);
	pb_jsonw_string(w, "backend", res->backend);
	pb_jsonw_string(w, "format", res->format);
	pb_jsonw_int(w, "seed", (int64_t)res->seed);
	pb_jsonw_bool(w, "exact", res->exact);
	pb_jsonw_number(w, "min_effect", res->min_effect);
	pb_jsonw_int(w, "n", (int64_t)res->n);
	pb_jsonw_int(w, "builds", (int64_t)res->builds);
	pb_jsonw_int(w, "builds_cached", (int64_t)res->builds_cached);
	pb_jsonw_int(w, "measured", (int64_t)res->measured);
	pb_jsonw_int(w, "slower", (int64_t)res->slower);
	pb_jsonw_int(w, "faster", (int64_t)res->faster);
	pb_jsonw_number(w, "median_ratio", res->median);
	pb_jsonw_array(w, "range");
	pb_jsonw_number(w, NULL, res->lo);
	pb_jsonw_number(w, NULL, res->hi);
	pb_jsonw_end(w);
	if (res->decided)
		pb_jsonw_string(w, "verdict", res->placement ? "code-placement" : "code-change");
	else
		pb_jsonw_string(w, "verdict", "inconclusive");
	pb_jsonw_array(w, "layouts");
	for (i = 0; i < res->n; i++) {
		const struct pb_layout_sample *l = &res->l[i];

		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "seed", (int64_t)l->seed);
		pb_jsonw_string(w, "order", l->order_file);
		pb_jsonw_string(w, "cflags", l->cflags);
		pb_jsonw_int(w, "env_pad", l->env_pad);
		pb_jsonw_bool(w, "aslr", !l->aslr_off);
		pb_jsonw_array(w, "recipe");
		for (k = 0; l->recipe && l->recipe[k]; k++)
			pb_jsonw_string(w, NULL, l->recipe[k]);
		pb_jsonw_end(w);
		if (l->error) {
			pb_jsonw_string(w, "error", l->error);
		} else {
			pb_jsonw_number(w, "parent_median", l->parent);
			pb_jsonw_number(w, "culprit_median", l->culprit);
			pb_jsonw_int(w, "runs", (int64_t)l->runs);
			pb_jsonw_number(w, "ratio", l->cmp.ratio);
			if (res->exact) {
				pb_jsonw_null(w, "ci95");
			} else {
				pb_jsonw_array(w, "ci95");
				pb_jsonw_number(w, NULL, l->cmp.ci95[0]);
				pb_jsonw_number(w, NULL, l->cmp.ci95[1]);
				pb_jsonw_end(w);
			}
			pb_jsonw_bool(w, "slower", l->slower);
			pb_jsonw_bool(w, "faster", l->faster);
		}
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	{
		char *s = pb_layouts_sentence(res);

		pb_jsonw_string(w, "summary", s);
		free(s);
	}
	pb_jsonw_end(w);
}
