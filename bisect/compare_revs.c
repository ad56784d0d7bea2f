/* compare_revs.c: two revisions measured now in blocks, order randomized within each block. */
#include "bisect/compare_revs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/driver.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "bisect/search.h"
#include "measure/repeat.h"

/* The next run of revision i; failures counted in *fails, too many inconclusive. 0 or -1. */
static int sample(struct pb_driver *s, size_t i, double *v, size_t *fails, size_t blocks)
{
	int rc;

	while ((rc = pb_driver_sample(s, i, v)) > 0)
		if (++*fails > 2 * blocks + 5)
			return pb_error_as(PB_EXIT_INCONCLUSIVE, "the benchmark failed %zu times: too "
					   "unreliable to compare", *fails);
	return rc < 0 ? -1 : 0;
}

int pb_compare_revs(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		    size_t blocks, struct pb_measurement *a, struct pb_measurement *b)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t k, j, dropped, fails = 0, total;
	double v, first, last[2] = { 0, 0 };
	struct pb_repeat r;
	char what[64], *key;
	bool exact;
	int rc, ret = -1;

	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	if (pb_driver_prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 2) ||
	    pb_repo_resolve(repo, o->good, s.ids[0]) || pb_repo_resolve(repo, o->bad, s.ids[1]))
		goto out;
	for (k = 0; k < 2; k++)
		if (pb_repo_commit_info(repo, s.ids[k], &br.commits[k].info))
			goto out;
	/* Fresh runs only, in a cache of their own: bisect's cached runs were taken at other times. */
	key = pb_xasprintf("%s-compare", s.key);
	free(s.key);
	s.key = key;
	if (pb_driver_open_state(&s) || pb_state_cache_drop_key(&s.st, s.key, &dropped))
		goto out;
	for (k = 0; k < 2; k++) {
		if ((rc = pb_driver_build(&s, k)) < 0)
			goto out;
		if (rc > 0) {
			pb_error_as(PB_EXIT_INCONCLUSIVE, "%s (%.7s) cannot be built: %s", k ? o->bad : o->good,
				    s.ids[k], br.commits[k].build_reason ? br.commits[k].build_reason : "?");
			goto out;
		}
	}
	/* An exact backend: one block and B once more (the extra run); the same value twice is the
	 * answer. Two values: warned, and both measured in blocks up to the benchmark's runs (at least
	 * PB_SEARCH_EXACT_FALLBACK_RUNS) for statistics. */
	exact = strcmp(br.backend, "cachegrind") == 0;
	total = exact ? 1 : blocks;
	for (k = 0; k < total; k++) {
		const bool swap = pb_rand_next(&rng) >> 63;

		for (j = 0; j < 2; j++) {
			size_t i = swap ? 1 - j : j;

			if (sample(&s, i, &v, &fails, blocks))
				goto out;
			last[i] = v;
		}
		if (!exact)
			continue;
		first = last[1];
		if (sample(&s, 1, &v, &fails, blocks))
			goto out;
		exact = false;
		snprintf(what, sizeof(what), "B (%.7s)", s.ids[1]);
		if (!pb_repeat_check(&r, what, first, v)) {
			char *msg = pb_repeat_message(br.backend, &r, 1, PB_REPEAT_STATISTICS, "compare");

			pb_warn("%s", msg);
			free(msg);
			total = blocks > PB_SEARCH_EXACT_FALLBACK_RUNS ? blocks : PB_SEARCH_EXACT_FALLBACK_RUNS;
		}
	}
	for (k = 0; k < 2; k++) {
		struct pb_measurement *dst = k ? b : a;

		pb_measurement_finish(&br.commits[k].m);
		pb_measurement_release(dst);
		*dst = br.commits[k].m;
		pb_measurement_init(&br.commits[k].m);
	}
	ret = 0;
out:
	pb_driver_release(&s);
	pb_bisect_result_release(&br);
	return ret;
}
