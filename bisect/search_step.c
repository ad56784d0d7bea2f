/* search_step.c: one bisection step: is a commit like the good or the bad end of its range?
 *
 * Why steps pool their references. Judging a commit on full blocks (good, commit, bad) buys
 * immunity to drift and bursts at three runs per block, and each block's z carries the noise of
 * three runs: with iid noise a bisect cost 1.6x the runs of a fixed 20-run `git bisect run`. Most
 * of that goes to re-measuring two references whose level the search already knows well, so a
 * step first tries to judge the commit against the pooled levels of its references (all their
 * runs since the pool was last re-based): blocks of (commit, commit, commit, reference), one fresh
 * reference run per POOL_PER_REF of the commit, alternating good and bad — (commit, commit,
 * reference) and a verdict possible after two runs of the commit where the pool's runs look
 * normal and its references differ by NORMAL_DELTA sigmas (a 10% step in 3% noise: 30 runs for
 * the 7 steps of 128 commits instead of 33). The fresh references are
 * what license the pool: each must lie within POOL_OUTLIER sigma of its pooled level (a burst) and
 * their mean within POOL_SHIFT standard errors (a drift); a verdict is taken only right after a
 * fresh reference passed, and must hold with the pooled midpoint moved by POOL_MARGIN of its own
 * standard error toward the other side. When a check fails the step is judged on full blocks
 * alone (classify_blocked: the values it took under the pool are not used) and the pool restarts
 * from those blocks, so a verdict never rests on references from another window the fresh runs
 * disagree with. What the check cannot see (a shift small against the noise of a few runs) can
 * mislead a step; it cannot name a wrong culprit with exit 0 by itself, because every culprit is
 * confirmed against its parent on fresh blocks, and a bisection that restarts after a failed
 * confirmation uses full blocks only. The pool starts with the endpoints' blocks: as few as
 * twelve runs when a clear regression decided them early (search.c), hence POOL_MIN 6.
 */
#include "bisect/search_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/util.h"

/* Pooled steps (pb_search_classify_pooled): values of each reference the pool needs first; a fresh
 * reference run further than POOL_OUTLIER sigma from its pooled level, or a step's fresh references
 * off by more than POOL_SHIFT standard errors on average, make the pool stale; the verdict must
 * hold with the midpoint moved by POOL_MARGIN standard errors of the pool. */
#define POOL_MIN 6
#define POOL_PER_REF 3 /* runs of the commit per fresh reference run */
#define POOL_OUTLIER 4.0
#define POOL_SHIFT 3.5
#define POOL_MARGIN 0.5
/* A pool whose runs look normal (the mean absolute deviation, as a sigma, within NORMAL_SPREAD of
 * the MAD's) and whose references differ by NORMAL_DELTA sigmas or more judges a step on blocks of
 * (commit, commit, reference) and may decide after two runs of the commit: the SPRT's error bound
 * holds there, and two runs 3.3 sigmas apart rarely mislead. Elsewhere (runs in two modes, a small
 * step) three and three. */
#define NORMAL_SPREAD 1.5
#define NORMAL_DELTA 3.0
/* Deviations count at most this many MAD sigmas in the mean absolute deviation (level_stats). */
#define SPREAD_CAP 4.0

/*
 * A deterministic metric (exact): is commit i like ref_lo (good) or like ref_hi (bad)? One value
 * decides by the nearer endpoint (noisy metrics use classify_blocked). Kept general: Wald's SPRT
 * between the two; when it has not decided after each further `runs` values, a two-sample test
 * against lo settles what it can:
 * a commit carrying part of the regression (several culprits) is bad-like once it is slower than
 * good by min_effect. Returns the verdict, or -1 on a fatal error.
 */
int pb_search_classify_exact(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, const struct pb_sprt *init)
{
	struct pb_search_result *r = c->res;
	struct pb_sprt s = *init;
	enum pb_sprt_state st = PB_SPRT_CONTINUE;
	struct pb_comparison cmp;
	size_t fed = 0, check_at = c->runs;
	int rc;

	while (st == PB_SPRT_CONTINUE) {
		/* Values already known (an earlier step, the confirmation) count first. */
		if (fed == r->n_values[i]) {
			if (r->n_values[i] >= c->o->max_runs || c->fails[i] > c->o->max_runs)
				return PB_STEP_UNKNOWN;
			rc = pb_search_sample(c, i);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
		}
		st = pb_sprt_add(&s, r->values[i][fed++]);
		/* One or two noisy values never decide: the hypotheses are estimates themselves. */
		if (!s.exact && fed < PB_SEARCH_MIN_DECIDE)
			st = PB_SPRT_CONTINUE;
		if (st == PB_SPRT_CONTINUE && !c->exact && r->n_values[i] >= check_at) {
			check_at += c->runs;
			pb_search_compare(c, ref_lo, i, &cmp);
			if (cmp.verdict == PB_VERDICT_SLOWER)
				return PB_STEP_BAD;
			pb_search_compare(c, i, ref_hi, &cmp);
			if (cmp.verdict == PB_VERDICT_SLOWER)
				return PB_STEP_GOOD;
		}
	}
	return st == PB_SPRT_BAD ? PB_STEP_BAD : PB_STEP_GOOD;
}

int pb_search_sprt_init(struct pb_sprt *s, const double *good, size_t ng, const double *bad,
			size_t nb, double error_rate, bool exact)
{
	if (pb_sprt_init(s, good, ng, bad, nb, error_rate))
		return -1;
	s->exact = s->exact || exact;
	/*
	 * Both hypotheses are medians estimated from the endpoint samples, and so is the midpoint
	 * between them that every value is judged against. Widen sigma by that uncertainty (the
	 * variance of a median is about pi/2 times that of a mean) so that the test is not more
	 * confident than the data.
	 */
	s->sigma *= sqrt(1 + M_PI / 2 * (1.0 / (double)ng + 1.0 / (double)nb));
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The range's references in the same window: from the blocks holding both of its endpoints,
 * d = log(hi) - log(lo): *delta its median, *sigma the noise of one run (1.4826 MAD / sqrt 2,
 * robust to the runs a burst hit). */
void pb_search_ref_estimates(const struct pairs *p, double *delta, double *sigma)
{
	double *d = pb_xmalloc((p->n ? p->n : 1) * sizeof(*d));
	size_t k, m = 0;

	for (k = 0; k < p->n; k++)
		if (p->a[k] > 0 && p->b[k] > 0)
			d[m++] = log(p->b[k] / p->a[k]);
	qsort(d, m, sizeof(*d), cmp_double);
	*delta = m ? (m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2) : 0;
	for (k = 0; k < m; k++)
		d[k] = fabs(d[k] - *delta);
	qsort(d, m, sizeof(*d), cmp_double);
	*sigma = m ? 1.4826 * (m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2) / M_SQRT2 : 0;
	free(d);
}

/*
 * Is commit i like ref_lo (good) or like ref_hi (bad)? Measured in blocks (ref_lo, i, ref_hi),
 * order randomized per block; each block gives z = log(i) - (log(lo) + log(hi)) / 2, with mean
 * -delta/2 when i is good-like and +delta/2 when bad-like whatever level the machine is at. Wald's
 * SPRT on z, clipped to +-(delta/2 + sigma_z) so that one run a burst hit moves the test by a
 * bounded step. Each block's (lo, hi) pair joins the references. Returns the verdict (UNKNOWN
 * after max_runs blocks), or -1 on a fatal error.
 */
int pb_search_classify_blocked(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			    struct pairs *refs, size_t *blocks)
{
	const size_t ids[3] = { ref_lo, i, ref_hi };
	const double bound = log((1 - error_rate) / error_rate);
	double v[3], delta, sigma, sz, clip, z, llr = 0;

	for (*blocks = 0; *blocks < c->o->max_runs;) {
		pb_search_ref_estimates(refs, &delta, &sigma);
		if (!(delta > 0))
			return PB_STEP_UNKNOWN; /* the references no longer differ */
		/* A floor for quantized values (MAD 0); widened by the uncertainty of delta's median. */
		if (sigma < delta / 20)
			sigma = delta / 20;
		sz = sigma * sqrt(1.5) * sqrt(1 + M_PI / 2 / (double)refs->n);
		clip = delta / 2 + sz;
		if (pb_search_block(c, ids, 3, v))
			return -1;
		(*blocks)++;
		pb_search_pairs_add(refs, v[0], v[2]);
		if (!(v[0] > 0 && v[1] > 0 && v[2] > 0))
			continue;
		z = log(v[1]) - (log(v[0]) + log(v[2])) / 2;
		z = z > clip ? clip : z < -clip ? -clip : z;
		llr += delta * z / (sz * sz);
		if (*blocks < PB_SEARCH_MIN_DECIDE)
			continue;
		if (llr >= bound)
			return PB_STEP_BAD;
		if (llr <= -bound)
			return PB_STEP_GOOD;
	}
	return PB_STEP_UNKNOWN;
}

/* The mean of each reference's pooled values, m[0] and m[1], and the noise of one run: the larger of
 * 1.4826 MAD of both sides' values around their medians and their mean absolute deviation (times
 * 1.2533) with each deviation capped at SPREAD_CAP MADs — the MAD of the dozen runs a pool starts
 * with is often low, and with runs in two modes it sees only one; the cap keeps a burst from
 * inflating it. *normal: whether the two agree (NORMAL_SPREAD). */
static void level_stats(const struct level *lv, double *m, double *sigma, bool *normal)
{
	double *d = pb_xmalloc((lv[0].n + lv[1].n + 1) * sizeof(*d)), sum, med, mean_dev = 0;
	size_t k, j, nd = 0;

	for (j = 0; j < 2; j++) {
		sum = 0;
		for (k = 0; k < lv[j].n; k++)
			sum += lv[j].v[k];
		m[j] = lv[j].n ? sum / (double)lv[j].n : 0;
		for (k = 0; k < lv[j].n; k++)
			d[nd + k] = lv[j].v[k];
		qsort(d + nd, lv[j].n, sizeof(*d), cmp_double);
		med = lv[j].n ? (lv[j].n % 2 ? d[nd + lv[j].n / 2] :
				 (d[nd + lv[j].n / 2 - 1] + d[nd + lv[j].n / 2]) / 2) : 0;
		for (k = 0; k < lv[j].n; k++)
			d[nd + k] = fabs(d[nd + k] - med);
		nd += lv[j].n;
	}
	qsort(d, nd, sizeof(*d), cmp_double);
	*sigma = nd ? 1.4826 * (nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2) : 0;
	for (k = 0; k < nd; k++)
		mean_dev += d[k] < SPREAD_CAP * *sigma ? d[k] : SPREAD_CAP * *sigma;
	mean_dev = nd ? 1.2533 * mean_dev / (double)nd : 0;
	*normal = nd > 0 && mean_dev <= NORMAL_SPREAD * *sigma;
	if (mean_dev > *sigma)
		*sigma = mean_dev;
	free(d);
}

/* The log-likelihood ratio (bad against good) of the z values against a midpoint moved by u:
 * each z is clipped to +-clip around it, as in classify_blocked. */
static double pooled_llr(const double *z, size_t n, double u, double delta, double sz, double clip)
{
	double llr = 0, x;
	size_t k;

	for (k = 0; k < n; k++) {
		x = z[k] - u;
		x = x > clip ? clip : x < -clip ? -clip : x;
		llr += delta * x / (sz * sz);
	}
	return llr;
}

/*
 * Is commit i like ref_lo (good) or like ref_hi (bad), judged against the pooled reference levels
 * `lv` (lv[0] of ref_lo, lv[1] of ref_hi) while fresh reference runs say they still hold? Blocks
 * of (i, i, reference), the reference alternating between ref_lo and ref_hi; each fresh reference
 * must lie within POOL_OUTLIER sigma of its pooled level, and their mean within POOL_SHIFT standard
 * errors of it — else the machine is not where it was when the pool was measured: POOL_STALE, and
 * the caller judges i on full blocks instead. The verdict must hold with the midpoint moved by
 * POOL_MARGIN standard errors of the pool toward the other side, and is only taken right after a
 * fresh reference. Fresh references join the pool. Returns the verdict, POOL_STALE, or -1.
 */
int pb_search_classify_pooled(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			   const struct pairs *refs, struct level *lv, size_t *blocks)
{
	const double bound = log((1 - error_rate) / error_rate);
	double *z = NULL, m[2], delta, sigma, pair_sigma, mid, tau, sz, clip, r, shift = 0, se, v;
	size_t nz = 0, cap = 0, fresh = 0, k, per_ref, min_decide;
	bool normal;
	int side = 0, ret = PB_STEP_UNKNOWN;

	/* Delta from the paired blocks (level-free); the noise from the pool's runs, which are many
	 * more than the pairs early on (pair_sigma's MAD of ten pairs varied 1.5-4% at a true 3%). */
	pb_search_ref_estimates(refs, &delta, &pair_sigma);
	level_stats(lv, m, &sigma, &normal);
	normal = normal && delta >= NORMAL_DELTA * sigma;
	per_ref = normal ? 2 : POOL_PER_REF;
	min_decide = normal ? 2 : PB_SEARCH_MIN_DECIDE;
	if (!(delta > 0) || lv[0].n < POOL_MIN || lv[1].n < POOL_MIN)
		return POOL_STALE;
	if (sigma < delta / 20)
		sigma = delta / 20;
	mid = (m[0] + m[1]) / 2;
	/* The pooled midpoint's own error is shared by every value of the step: a margin, not noise. */
	tau = sigma / 2 * sqrt(1.0 / (double)lv[0].n + 1.0 / (double)lv[1].n);
	sz = sigma * sqrt(1 + 1.0 / (double)(lv[0].n + lv[1].n));
	clip = delta / 2 + sz;
	for (*blocks = 0; per_ref * *blocks < c->o->max_runs;) {
		const size_t ref = side ? ref_hi : ref_lo;

		for (k = 0; k <= per_ref; k++) {
			const size_t id = k < per_ref ? i : ref;

			if (pb_search_block(c, &id, 1, &v)) {
				ret = -1;
				goto out;
			}
			if (!(v > 0))
				continue;
			if (k < per_ref) {
				pb_xgrow((void **)&z, &cap, nz + 1, sizeof(double));
				z[nz++] = log(v) - mid;
				continue;
			}
			/* Is the machine still where the pool says? One run far off (a burst), or the
			 * step's references together off by more than their noise (a drift). */
			r = log(v) - m[side];
			fresh++;
			shift += r;
			se = sigma * sqrt(1.0 / (double)fresh + 1.0 / (double)lv[side].n);
			if (fabs(r) > POOL_OUTLIER * sigma || fabs(shift / (double)fresh) > POOL_SHIFT * se) {
				ret = POOL_STALE;
				goto out;
			}
			pb_search_level_add(&lv[side], v);
		}
		(*blocks)++;
		side = !side;
		if (nz < min_decide)
			continue;
		if (pooled_llr(z, nz, POOL_MARGIN * tau, delta, sz, clip) >= bound) {
			ret = PB_STEP_BAD;
			break;
		}
		if (pooled_llr(z, nz, -POOL_MARGIN * tau, delta, sz, clip) <= -bound) {
			ret = PB_STEP_GOOD;
			break;
		}
	}
out:
	free(z);
	return ret;
}
