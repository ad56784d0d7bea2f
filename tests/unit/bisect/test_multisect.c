/* test_multisect.c: k-way bisection (--jobs K) on the simulated 128-commit range: the same exact
 * culprits as one at a time, rounds within ceil(log_{K+1} N) + 2 per bisection (one restart at most),
 * builds and runs in batches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/search.h"
#include "noise_sim.h"

#define N 127 /* commits 0..127: 128 in all */

struct sim {
	struct pb_noise_sim ns;
	size_t builds, samples, batches, batch_builds, max_batch_builds;
	size_t unbuildable;
	int last_round;
	bool rounds_in_order;
};

static int sim_build(void *arg, size_t i)
{
	struct sim *s = arg;

	s->builds++;
	return i == s->unbuildable ? 1 : 0;
}

static int sim_sample(void *arg, size_t i, double *v)
{
	struct sim *s = arg;

	s->samples++;
	*v = pb_noise_sim_value(&s->ns, i);
	return 0;
}

static int sim_build_many(void *arg, int round, const size_t *ids, size_t n, int *rcs)
{
	struct sim *s = arg;
	size_t k;

	if (round != 0 && round <= s->last_round)
		s->rounds_in_order = false;
	s->last_round = round;
	s->batch_builds++;
	if (n > s->max_batch_builds)
		s->max_batch_builds = n;
	for (k = 0; k < n; k++)
		rcs[k] = sim_build(arg, ids[k]);
	return 0;
}

/* The batch's values in the order asked: the simulation's clock runs through it as through the
 * single samples, so drift and bursts hit the batch as they would a real machine. */
static int sim_sample_many(void *arg, const size_t *ids, size_t n, double *values, int *rcs)
{
	struct sim *s = arg;
	size_t k;

	s->batches++;
	for (k = 0; k < n; k++)
		rcs[k] = sim_sample(arg, ids[k], &values[k]);
	return 0;
}

static const struct pb_search_ops ops = { sim_build, sim_sample, NULL, NULL, NULL };

static struct pb_search_opts opts(bool exact)
{
	struct pb_search_opts o = { 0.01, 0.02, 10, 60, exact, 0.8, 4 };

	return o;
}

/* ceil(log_{k+1}(n)) */
static int log_ceil(size_t k, size_t n)
{
	int r = 0;
	size_t p = 1;

	while (p < n) {
		p *= k + 1;
		r++;
	}
	return r;
}

/* One bisect of the 128-commit range with the culprit at `culprit`; *r filled. */
static void run(size_t jobs, enum pb_noise_model model, uint64_t seed, size_t culprit, bool batch,
		struct sim *s, struct pb_search_result *r)
{
	struct pb_search_opts o = opts(false);
	struct pb_search_kway kw = { jobs, batch ? sim_build_many : NULL,
				     batch ? sim_sample_many : NULL };

	memset(s, 0, sizeof(*s));
	s->rounds_in_order = true;
	s->unbuildable = (size_t)-1;
	pb_noise_sim_init(&s->ns, model, N, culprit, 0.05, seed);
	assert_int_equal(pb_search_run_kway(N, &o, &ops, &kw, s, r), 0);
}

/* Same culprit as K = 1 for K = 1, 2, 4 over seeds and culprit positions; rounds bounded. */
static void test_kway_same_culprits(void **state)
{
	static const size_t jobs[] = { 1, 2, 4 };
	struct pb_search_result r;
	struct sim s;
	size_t j, culprit;
	uint64_t seed;

	(void)state;
	for (j = 0; j < 3; j++)
		for (seed = 1; seed <= 8; seed++) {
			culprit = 1 + (size_t)(seed * 37) % N;
			run(jobs[j], PB_NOISE_IID, seed, culprit, true, &s, &r);
			assert_int_equal(r.status, PB_SEARCH_FOUND);
			assert_int_equal(r.culprits[0].index, culprit);
			/* each bisection (the first, and one restart after a misjudged step at most) */
			assert_true(r.restarts <= 1);
			assert_true(r.rounds <= (1 + r.restarts) * (log_ceil(jobs[j], N + 1) + 2));
			assert_true(s.max_batch_builds <= jobs[j]);
			/* one build call per round and one for the endpoints (round 0); with 4 jobs
			 * the first round is built with the endpoints; one at a time: none */
			if (jobs[j] > 1)
				assert_int_equal(s.batch_builds, (size_t)r.rounds + (jobs[j] == 2));
			assert_true(jobs[j] == 1 || s.rounds_in_order);
			pb_search_result_release(&r);
		}
}

/* Exact figures for fixed seeds (iid noise, culprit 77): rounds, steps, runs, builds at once. */
static void test_kway_rounds_exact(void **state)
{
	static const struct {
		size_t jobs;
		int rounds;
		size_t steps, runs, dropped, batches;
	} want[] = {
		{ 1, 7, 9, 128, 0, 0 }, /* one at a time: 7 = log2(128) steps, good and bad */
		/* ceil(log3(128)) = 5 rounds, ceil(log5(128)) = 4 */
		{ 2, 5, 11, 152, 6, 5 },
		{ 4, 4, 11, 160, 10, 4 },
	};
	struct pb_search_result r;
	struct sim s;
	size_t j, k;

	(void)state;
	for (j = 0; j < 3; j++) {
		run(want[j].jobs, PB_NOISE_IID, 42, 77, true, &s, &r);
		assert_int_equal(r.status, PB_SEARCH_FOUND);
		assert_int_equal(r.culprits[0].index, 77);
		assert_int_equal(r.rounds, want[j].rounds);
		assert_int_equal(r.n_steps, want[j].steps);
		assert_int_equal(r.runs_total, want[j].runs);
		assert_int_equal(r.runs_dropped, want[j].dropped);
		assert_int_equal(s.batches, want[j].batches);
		/* every value drawn was either used by a step or dropped */
		assert_int_equal(s.samples, r.runs_total + r.runs_dropped);
		for (k = 0; k < r.n_steps; k++)
			assert_true(r.steps[k].round <= r.rounds);
		pb_search_result_release(&r);
	}
}

/* Every noise model (drift, bursts hitting the batch, bimodal): a culprit named with K = 2 or 4
 * is the right one; otherwise the search says it does not know. */
static void test_kway_noise_models(void **state)
{
	static const size_t jobs[] = { 2, 4 };
	struct pb_search_result r;
	struct sim s;
	size_t j, found = 0, total = 0;
	uint64_t seed;
	int m;

	(void)state;
	for (m = 0; m < PB_NOISE_MODELS; m++)
		for (j = 0; j < 2; j++)
			for (seed = 1; seed <= 6; seed++) {
				run(jobs[j], (enum pb_noise_model)m, seed, 23 + seed * 13, true, &s, &r);
				total++;
				if (r.status == PB_SEARCH_FOUND) {
					assert_int_equal(r.culprits[0].index, 23 + seed * 13);
					found++;
				}
				pb_search_result_release(&r);
			}
	assert_true(found * 10 >= total * 8);
}

/* A commit of a round that cannot be built is skipped; the culprit next to it is still found. */
static void test_kway_unbuildable(void **state)
{
	struct pb_search_result r;
	struct pb_search_opts o = opts(false);
	struct pb_search_kway kw = { 3, sim_build_many, sim_sample_many };
	struct sim s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.unbuildable = 63; /* 3-way: round 1 is the middle, built with the endpoints in round 0 */
	pb_noise_sim_init(&s.ns, PB_NOISE_IID, N, 70, 0.05, 7);
	assert_int_equal(pb_search_run_kway(N, &o, &ops, &kw, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_FOUND);
	assert_int_equal(r.culprits[0].index, 70);
	assert_int_equal(r.steps[2].index, 63);
	assert_int_equal(r.steps[2].verdict, PB_STEP_SKIP);
	assert_int_equal(r.steps[2].round, 1);
	pb_search_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kway_same_culprits),
		cmocka_unit_test(test_kway_rounds_exact),
		cmocka_unit_test(test_kway_noise_models),
		cmocka_unit_test(test_kway_unbuildable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
