/* placement_check.c: does moving the code, and nothing else, make or unmake the regression? */
#include "bisect/placement_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/build.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/stats.h"

static char **copy_env(char *const *env)
{
	size_t n = 0, i;
	char **out;

	while (env[n])
		n++;
	out = pb_xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = pb_xstrdup(env[i]);
	return out;
}

static int check_variant(const struct pb_verify_in *in, const struct pb_layout_variant *lv,
			 struct pb_variant_check *vc)
{
	struct pb_builder b;
	struct pb_runner_opts oa = *in->tmpl, ob = *in->tmpl;
	struct pb_measurement ma, mb;
	struct pb_comparison cmp;
	char *pbin = NULL, *cbin = NULL, *ppre = NULL, *cpre = NULL, *pcmd = NULL, *ccmd = NULL;
	char *untimed[4] = { NULL, NULL, NULL, NULL }; /* prepare, setup of parent; of culprit */
	double *va = NULL, *vb = NULL;
	size_t na = 0, nb = 0;
	int ret = -1;

	pb_measurement_init(&ma);
	pb_measurement_init(&mb);
	vc->name = pb_xstrdup(lv->name);
	vc->env = copy_env(lv->env);
	vc->parent = vc->culprit = vc->parent_ratio = vc->culprit_ratio = NAN;
	if (pb_builder_init_variant(&b, in->repo, in->wt, in->st, in->cfg, lv)) {
		vc->error = pb_xstrdup(pb_error_message());
		return 0;
	}
	b.rebuild_failed = in->rebuild_failed;
	if (in->progress)
		pb_progress_detail(in->progress, "variant %s: building %.7s and %.7s", lv->name,
				   in->parent, in->culprit);
	if (pb_builder_get_binary(&b, in->parent, &pbin, &ppre, &vc->error) ||
	    (!vc->error && pb_builder_get_binary(&b, in->culprit, &cbin, &cpre, &vc->error)))
		goto out;
	ret = 0;
	if (vc->error)
		goto out;
	/* Both run from the culprit's checkout; only the binaries differ. */
	if (pb_worktree_checkout(in->wt, in->repo, in->culprit)) {
		ret = -1;
		goto out;
	}
	pcmd = pb_config_expand(in->command, &(struct pb_placeholders){ pbin, in->wt->dir,
									 in->cfg->dir, ppre });
	ccmd = pb_config_expand(in->command, &(struct pb_placeholders){ cbin, in->wt->dir,
									 in->cfg->dir, cpre });
	/* The benchmark's prepare and setup, expanded for each variant build like its command. */
	for (int k = 0; k < 4; k++) {
		const char *t = k % 2 ? in->setup : in->prepare;

		if (t)
			untimed[k] = pb_config_expand(t, &(struct pb_placeholders){
				k < 2 ? pbin : cbin, in->wt->dir, in->cfg->dir, k < 2 ? ppre : cpre });
	}
	oa.prepare = untimed[0];
	oa.setup = untimed[1];
	ob.prepare = untimed[2];
	ob.setup = untimed[3];
	oa.shell = pcmd;
	ob.shell = ccmd;
	oa.cwd = ob.cwd = in->wt->dir;
	oa.commit = in->parent;
	ob.commit = in->culprit;
	if (in->progress)
		pb_progress_detail(in->progress, "variant %s: measuring %.7s and %.7s", lv->name,
				   in->parent, in->culprit);
	if (pb_runner_measure_ab(&oa, &ob, &ma, &mb)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED) {
			ret = -1;
			goto out;
		}
		vc->error = pb_xstrdup(pb_error_message());
		goto out;
	}
	va = pb_measurement_values(&ma, &na);
	vb = pb_measurement_values(&mb, &nb);
	if (!na || !nb) {
		vc->error = pb_xstrdup("every run of the variant's builds failed");
		goto out;
	}
	vc->parent = pb_stats_median(va, na);
	vc->culprit = pb_stats_median(vb, nb);
	vc->parent_ratio = vc->parent / pb_stats_median(in->base_parent, in->n_parent);
	vc->culprit_ratio = vc->culprit / pb_stats_median(in->base_parent, in->n_parent);
	pb_stats_compare(in->base_parent, in->n_parent, va, na, in->alpha, in->min_effect, &cmp);
	vc->reproduces = cmp.verdict == PB_VERDICT_SLOWER;
	pb_stats_compare(in->base_parent, in->n_parent, vb, nb, in->alpha, in->min_effect, &cmp);
	vc->removes = cmp.verdict != PB_VERDICT_SLOWER && vc->culprit_ratio < 1 + in->min_effect;
out:
	free(va);
	free(vb);
	free(pcmd);
	free(ccmd);
	for (int k = 0; k < 4; k++)
		free(untimed[k]);
	free(pbin);
	free(ppre);
	free(cpre);
	free(cbin);
	pb_measurement_release(&ma);
	pb_measurement_release(&mb);
	pb_builder_release(&b);
	return ret;
}

int pb_placement_check_run(const struct pb_verify_in *in, struct pb_placement_check *pc)
{
	const struct pb_config *cfg = in->cfg;
	size_t i;

	memset(pc, 0, sizeof(*pc));
	if (!cfg->build.n_variants)
		return pb_error("--verify-placement: %s has no build.layout_variants (e.g. \"layout_"
				"variants\": {\"align4k\": {\"CFLAGS\": \"-O2 -falign-functions=4096\"}})",
				cfg->path ? cfg->path : "the configuration");
	pc->done = true;
	pc->base_parent = pb_stats_median(in->base_parent, in->n_parent);
	pc->base_culprit = pb_stats_median(in->base_culprit, in->n_culprit);
	pc->v = pb_xcalloc(cfg->build.n_variants, sizeof(*pc->v));
	for (i = 0; i < cfg->build.n_variants; i++) {
		pc->n++;
		if (check_variant(in, &cfg->build.variants[i], &pc->v[i]))
			return -1;
		if (pc->v[i].error)
			pb_warn("layout variant %s: %s", pc->v[i].name, pc->v[i].error);
		if (pc->v[i].reproduces || pc->v[i].removes)
			pc->confirmed = true;
	}
	return 0;
}

char *pb_placement_check_sentence(const struct pb_placement_check *pc)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t i, said = 0;

	pb_buf_printf(&b, "placement check (%zu layout %s): ", pc->n,
		      pb_plural(pc->n, "variant", "variants"));
	for (i = 0; i < pc->n; i++) {
		const struct pb_variant_check *v = &pc->v[i];

		if (!v->reproduces && !v->removes)
			continue;
		pb_buf_printf(&b, "%s%s %s (parent %+.1f%%, culprit %+.1f%% against the ordinary parent)",
			      said++ ? "; " : "", v->name,
			      v->reproduces && v->removes ? "reproduces it in the parent and removes it "
							    "from the culprit" :
			      v->reproduces ? "reproduces the slowdown in the parent" :
					      "removes it from the culprit",
			      (v->parent_ratio - 1) * 100, (v->culprit_ratio - 1) * 100);
	}
	if (!said)
		pb_buf_puts(&b, pc->confirmed ? "" : "no variant reproduced or removed the slowdown");
	return pb_buf_detach(&b);
}

void pb_placement_check_release(struct pb_placement_check *pc)
{
	size_t i, k;

	for (i = 0; i < pc->n; i++) {
		free(pc->v[i].name);
		for (k = 0; pc->v[i].env && pc->v[i].env[k]; k++)
			free(pc->v[i].env[k]);
		free(pc->v[i].env);
		free(pc->v[i].error);
	}
	free(pc->v);
	memset(pc, 0, sizeof(*pc));
}

void pb_placement_check_write_json(const struct pb_placement_check *pc, struct pb_jsonw *w)
{
	size_t i, k;

	if (!pc->done)
		return;
	pb_jsonw_object(w, "placement_check");
	pb_jsonw_bool(w, "confirmed", pc->confirmed);
	pb_jsonw_number(w, "parent_median", pc->base_parent);
	pb_jsonw_number(w, "culprit_median", pc->base_culprit);
	pb_jsonw_array(w, "variants");
	for (i = 0; i < pc->n; i++) {
		const struct pb_variant_check *v = &pc->v[i];

		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", v->name);
		pb_jsonw_array(w, "env");
		for (k = 0; v->env && v->env[k]; k++)
			pb_jsonw_string(w, NULL, v->env[k]);
		pb_jsonw_end(w);
		pb_jsonw_number(w, "parent_median", v->parent);
		pb_jsonw_number(w, "culprit_median", v->culprit);
		pb_jsonw_number(w, "parent_ratio", v->parent_ratio);
		pb_jsonw_number(w, "culprit_ratio", v->culprit_ratio);
		pb_jsonw_bool(w, "reproduces", v->reproduces);
		pb_jsonw_bool(w, "removes", v->removes);
		if (v->error)
			pb_jsonw_string(w, "error", v->error);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}
