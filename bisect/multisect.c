/* multisect.c: k-way bisection rounds: up to k commits that split the undecided range into k + 1
 * parts, built at once, measured in one batch with their references, judged one by one.
 *
 * Why a batch. A step is judged on blocks of the commit with its range's references (search.c);
 * those runs must be taken in the same time window as the commit's. A round's commits are
 * measured together: each commit's minimum blocks (what a step needs before it may decide at
 * all) with its own reference runs, one commit after another, the order within each block drawn
 * at random, all in one batch the executor can run at once (one Slurm job; one pass on the
 * pinned CPUs locally). The steps then take those values first, in the order they were taken,
 * and sample anew when they need more. Values a step did not take (it was decided by an earlier
 * commit of the round, or needed fewer than planned) are dropped at the end of the round, never
 * handed to a later step: a verdict never rests on references measured in another window.
 * Judged in ascending order: once one commit is bad, the round's commits above it are outside
 * the range and are not judged.
 */
#include "bisect/multisect.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"

#define MS_SEED 0x2545f4914f6cdd1dULL

void pb_multisect_init(struct pb_multisect *ms, size_t jobs, const struct pb_ms_host *host)
{
	memset(ms, 0, sizeof(*ms));
	ms->jobs = jobs;
	ms->host = *host;
	ms->rng = MS_SEED;
}

void pb_multisect_end(struct pb_multisect *ms)
{
	size_t k;

	for (k = 0; k < ms->n_batch; k++)
		if (!ms->used[k] && ms->host.dropped)
			(*ms->host.dropped)++;
	free(ms->ids);
	free(ms->values);
	free(ms->rcs);
	free(ms->used);
	ms->ids = NULL;
	ms->values = NULL;
	ms->rcs = NULL;
	ms->used = NULL;
	ms->n_batch = 0;
}

void pb_multisect_release(struct pb_multisect *ms)
{
	pb_multisect_end(ms);
	free(ms->points);
	free(ms->spec);
	ms->spec = NULL;
	ms->points = NULL;
	ms->n_points = ms->next = 0;
}

int pb_multisect_take(struct pb_multisect *ms, size_t i, double *v)
{
	size_t k;

	for (k = 0; k < ms->n_batch; k++)
		if (!ms->used[k] && ms->ids[k] == i) {
			ms->used[k] = true;
			*v = ms->values[k];
			return ms->rcs[k] ? 1 : 0;
		}
	return PB_MS_EMPTY;
}

/* Append a block of the k commits ids (k <= 3), in an order drawn at random. */
static void add_block(struct pb_multisect *ms, size_t *batch, size_t *n, const size_t *ids, size_t k)
{
	size_t order[3] = { 0, 1, 2 }, j;

	pb_shuffle(order, k, &ms->rng);
	for (j = 0; j < k; j++)
		batch[(*n)++] = ids[order[j]];
}

/* The round's commits: up to `jobs` undecided ones splitting (lo, hi) into jobs + 1 parts. */
static void pick(struct pb_multisect *ms, size_t lo, size_t hi)
{
	size_t *open = pb_xmalloc((hi - lo + 1) * sizeof(*open)), m = 0, i, j, k = ms->jobs;

	for (i = lo + 1; i < hi; i++)
		if (ms->host.open(ms->host.ctx, i))
			open[m++] = i;
	free(ms->points);
	ms->points = pb_xmalloc((k + 1) * sizeof(*ms->points));
	ms->n_points = ms->next = 0;
	if (m <= k) {
		/* As many as the round holds or fewer: all of them, nothing left to speculate on. */
		for (j = 0; j < m; j++)
			ms->points[ms->n_points++] = open[j];
	} else {
		/* Equal parts: the j-th of k points at j (m + 1) / (k + 1) (strictly increasing, as
		 * m >= k + 1); with k = 1 the middle, as the one-at-a-time search picks it. */
		for (j = 1; j <= k; j++)
			ms->points[ms->n_points++] = open[j * (m + 1) / (k + 1) - 1];
	}
	free(open);
}

int pb_multisect_build(struct pb_multisect *ms, int round, const size_t *ids, size_t n)
{
	const struct pb_ms_host *h = &ms->host;
	int *rcs, ret = 0;
	size_t k;

	if (!h->kw->build_many) {
		for (k = 0; k < n; k++)
			if (h->build(h->ctx, ids[k]) < 0)
				return -1;
		return 0;
	}
	rcs = pb_xcalloc(n, sizeof(*rcs));
	if (h->kw->build_many(h->arg, round, ids, n, rcs) < 0) {
		ret = -1;
	} else {
		for (k = 0; k < n; k++)
			h->built(h->ctx, ids[k], rcs[k]);
	}
	free(rcs);
	return ret;
}

int pb_multisect_build_endpoints(struct pb_multisect *ms, size_t n)
{
	size_t *ids = pb_xmalloc((ms->jobs + 2) * sizeof(*ids)), k, jobs = ms->jobs;
	int ret;

	ids[0] = 0;
	ids[1] = n;
	if (jobs >= 3) {
		/* Fewer commits in the first round (jobs - 2, splitting good..bad alike), but no build
		 * period of their own: the slots the endpoints leave free build them. */
		ms->jobs = jobs - 2;
		pick(ms, 0, n);
		ms->jobs = jobs;
		ms->spec = ms->points;
		ms->n_spec = ms->n_points;
		ms->points = NULL;
		ms->n_points = ms->next = 0;
		for (k = 0; k < ms->n_spec; k++)
			ids[2 + k] = ms->spec[k];
	}
	ret = pb_multisect_build(ms, 0, ids, 2 + ms->n_spec);
	free(ids);
	return ret;
}

/* The round's batch: each built commit's least runs with its references, one commit after
 * another, then taken in one call. Without sample_many there is no batch: steps sample as
 * they go (a simulation). */
static int measure_round(struct pb_multisect *ms, size_t ref_lo, size_t ref_hi, enum pb_ms_mode mode)
{
	const struct pb_ms_host *h = &ms->host;
	size_t k, b, n = 0, *batch;
	int ret = 0;

	if (!h->kw->sample_many)
		return 0;
	batch = pb_xmalloc((ms->n_points * 3 * (h->min_blocks > 2 ? h->min_blocks : 2) + 1) *
			   sizeof(*batch));
	for (k = 0; k < ms->n_points; k++) {
		const size_t i = ms->points[k], full[3] = { ref_lo, i, ref_hi };

		/* A commit that cannot be built is skipped, not measured. */
		if (h->build(h->ctx, i) != 0)
			continue;
		switch (mode) {
		case PB_MS_EXACT:
			/* One value decides; one at hand already (cached) is used first. */
			if (h->n_values[i] == 0)
				batch[n++] = i;
			break;
		case PB_MS_BLOCKED:
			for (b = 0; b < h->min_blocks; b++)
				add_block(ms, batch, &n, full, 3);
			break;
		case PB_MS_POOLED:
			/* Two pooled blocks: the first point a pooled step may decide at (four values
			 * of the commit, each reference once). */
			for (b = 0; b < 2; b++) {
				const size_t pooled[3] = { i, i, b ? ref_hi : ref_lo };

				add_block(ms, batch, &n, pooled, 3);
			}
			break;
		}
	}
	if (n) {
		ms->ids = batch;
		ms->values = pb_xcalloc(n, sizeof(*ms->values));
		ms->rcs = pb_xcalloc(n, sizeof(*ms->rcs));
		ms->used = pb_xcalloc(n, sizeof(*ms->used));
		ms->n_batch = n;
		if (h->kw->sample_many(h->arg, batch, n, ms->values, ms->rcs) < 0) {
			ms->n_batch = 0; /* nothing was taken: nothing to count as dropped */
			ret = -1;
		}
	} else {
		free(batch);
	}
	return ret;
}

int pb_multisect_next(struct pb_multisect *ms, size_t lo, size_t hi, size_t ref_lo, size_t ref_hi,
		      enum pb_ms_mode mode, size_t *out)
{
	size_t i;

	*out = 0;
	while (ms->next < ms->n_points) {
		i = ms->points[ms->next++];
		if (i > lo && i < hi && ms->host.open(ms->host.ctx, i)) {
			*out = i;
			return 0;
		}
	}
	pb_multisect_end(ms);
	if (ms->spec && ms->round == 0) {
		/* The first round's commits were built with the endpoints. */
		free(ms->points);
		ms->points = ms->spec;
		ms->n_points = ms->n_spec;
		ms->next = 0;
		ms->spec = NULL;
		if (ms->n_points == 0)
			return 0;
		ms->round++;
	} else {
		pick(ms, lo, hi);
		if (ms->n_points == 0)
			return 0;
		ms->round++;
		if (pb_multisect_build(ms, ms->round, ms->points, ms->n_points))
			return -1;
	}
	if (measure_round(ms, ref_lo, ref_hi, mode))
		return -1;
	*out = ms->points[ms->next++];
	return 0;
}
