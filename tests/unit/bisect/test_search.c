/* test_search.c: the search over simulated benchmarks with seeded noise: exact culprits, skips,
 * two culprits, no regression, and the number of runs a deterministic metric needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/search.h"
#include "core/error.h"
#include "noise_sim.h"
#include "measure/unstable.h"

struct sim {
	size_t n;
	double base, noise;       /* lognormal noise, sigma on the log scale */
	size_t culprit[2];        /* commits whose change adds `step` (0: none) */
	double step[2];
	size_t unbuildable[4];    /* commits that fail to build (0: none) */
	uint64_t rng;
	size_t builds, samples;
};

static double uniform(struct sim *s)
{
	/* xorshift64*: small, seeded, the same sequence everywhere */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double gauss(struct sim *s)
{
	double u = uniform(s), v = uniform(s);

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static int sim_build(void *arg, size_t i)
{
	struct sim *s = arg;
	size_t k;

	s->builds++;
	for (k = 0; k < 4; k++)
		if (s->unbuildable[k] && s->unbuildable[k] == i)
			return 1;
	return 0;
}

static int sim_sample(void *arg, size_t i, double *v)
{
	struct sim *s = arg;
	double level = s->base;
	size_t k;

	s->samples++;
	for (k = 0; k < 2; k++)
		if (s->culprit[k] && i >= s->culprit[k])
			level *= 1 + s->step[k];
	*v = level * exp(s->noise * gauss(s));
	return 0;
}

static const struct pb_search_ops ops = { sim_build, sim_sample, NULL, NULL, NULL };

static struct pb_search_opts opts(bool exact)
{
	struct pb_search_opts o = { 0.01, 0.02, 10, 60, exact, 0.8, 4 };

	return o;
}

static void test_single_culprit_noisy(void **state)
{
	struct pb_search_result r;
	struct pb_search_opts o = opts(false);
	size_t total = 0;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		struct sim s = { 127, 10.0, 0.03, { 77, 0 }, { 0.05, 0 }, { 0 }, seed * 7919, 0, 0 };

		assert_int_equal(pb_search_run(127, &o, &ops, &s, &r), 0);
		assert_int_equal(r.status, PB_SEARCH_FOUND);
		assert_int_equal(r.n_culprits, 1);
		assert_int_equal(r.culprits[0].index, 77);
		assert_int_equal(r.culprits[0].effect.verdict, PB_VERDICT_SLOWER);
		assert_true(r.culprits[0].explained_fraction > 0.4); /* noisy: medians of 10-20 values */
		assert_int_equal(r.runs_total, s.samples);
		total += r.runs_total;
		pb_search_result_release(&r);
	}
	/* Every step measured alongside fresh runs of its references, and two fresh confirmations:
	 * under twice the runs of 20 per commit for good, bad and the 7 steps of a 128-commit range
	 * (bench/bisect_sim measures the ratio over many seeds and noise models). */
	assert_true(total < 2 * 20 * 9 * 20);
}

static void test_exact_metric_one_run_per_commit(void **state)
{
	struct sim s = { 64, 1e6, 0, { 40, 0 }, { 0.001, 0 }, { 0 }, 1, 0, 0 };
	struct pb_search_opts o = opts(true);
	struct pb_search_result r;
	size_t k;

	(void)state;
	o.min_effect = 0.0005;
	assert_int_equal(pb_search_run(64, &o, &ops, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_FOUND);
	assert_int_equal(r.culprits[0].index, 40);
	/* Each endpoint twice (the value must come again to be exact), every step once. */
	assert_true(r.exact);
	assert_true(r.repeat_spread == 0);
	for (k = 0; k < r.n_steps; k++)
		assert_int_equal(r.steps[k].runs, r.steps[k].index == 0 || r.steps[k].index == 64 ? 2 : 1);
	/* good, bad, 6 bisection steps, and nothing more: confirmation reuses the values */
	assert_int_equal(r.n_steps, 8);
	assert_int_equal(r.runs_total, 10);
	pb_search_result_release(&r);
}

/* A metric taken as exact whose endpoints give two different values (Lua's time-seeded hash under
 * cachegrind): judged as a noisy metric, and still the right culprit. */
static void test_exact_metric_not_repeatable(void **state)
{
	struct sim s = { 64, 1e6, 0.01, { 40, 0 }, { 0.10, 0 }, { 0 }, 3, 0, 0 };
	struct pb_search_opts o = opts(true);
	struct pb_search_result r;

	(void)state;
	o.runs = 1; /* what the bisect driver passes for an exact backend */
	assert_int_equal(pb_search_run(64, &o, &ops, &s, &r), 0);
	assert_false(r.exact);
	assert_true(r.repeat_spread > 0 && r.repeat_spread < 0.2);
	assert_int_equal(r.status, PB_SEARCH_FOUND);
	assert_int_equal(r.culprits[0].index, 40);
	assert_int_equal(r.steps[0].runs, PB_SEARCH_EXACT_FALLBACK_RUNS);
	assert_true(r.culprits[0].blocks > 1);
	pb_search_result_release(&r);
}

static void test_no_regression(void **state)
{
	struct sim s = { 32, 10.0, 0.02, { 0, 0 }, { 0, 0 }, { 0 }, 99, 0, 0 };
	struct pb_search_opts o = opts(false);
	struct pb_search_result r;

	(void)state;
	assert_int_equal(pb_search_run(32, &o, &ops, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_NOT_REPRODUCED);
	assert_int_equal(r.n_culprits, 0);
	assert_int_equal(s.builds, 2);
	pb_search_result_release(&r);
}

static void test_build_failures_around_culprit(void **state)
{
	struct sim s = { 32, 10.0, 0.01, { 20, 0 }, { 0.10, 0 }, { 21, 18, 0, 0 }, 5, 0, 0 };
	struct pb_search_opts o = opts(false);
	struct pb_search_result r;
	size_t k, skipped = 0;

	(void)state;
	assert_int_equal(pb_search_run(32, &o, &ops, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_FOUND);
	assert_int_equal(r.culprits[0].index, 20);
	for (k = 0; k < r.n_steps; k++)
		skipped += r.steps[k].verdict == PB_STEP_SKIP;
	assert_true(skipped <= 2);
	pb_search_result_release(&r);

	/* The parent of the culprit cannot be built: the first bad commit is 19 or 20. */
	s = (struct sim){ 32, 10.0, 0.01, { 20, 0 }, { 0.10, 0 }, { 19, 0, 0, 0 }, 5, 0, 0 };
	assert_int_equal(pb_search_run(32, &o, &ops, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_ONLY_SKIPPED);
	assert_int_equal(r.n_candidates, 2);
	assert_int_equal(r.candidates[0], 19);
	assert_int_equal(r.candidates[1], 20);
	pb_search_result_release(&r);
}

static void test_two_culprits(void **state)
{
	struct sim s = { 64, 10.0, 0.01, { 17, 45 }, { 0.06, 0.06 }, { 0 }, 11, 0, 0 };
	struct pb_search_opts o = opts(false);
	struct pb_search_result r;
	size_t a, b;

	(void)state;
	assert_int_equal(pb_search_run(64, &o, &ops, &s, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_FOUND);
	assert_int_equal(r.n_culprits, 2);
	a = r.culprits[0].index;
	b = r.culprits[1].index;
	assert_true((a == 17 && b == 45) || (a == 45 && b == 17));
	assert_true(r.culprits[0].explained_fraction > 0.3 && r.culprits[0].explained_fraction < 0.7);
	pb_search_result_release(&r);
}

static int ns_build(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return 0;
}

static int ns_sample(void *arg, size_t i, double *v)
{
	*v = pb_noise_sim_value(arg, i);
	return 0;
}

/*
 * Each noise model of bench/noise_sim (iid 3%, slow drift, load bursts that hit whatever runs at
 * that moment, bimodal runs), fixed seeds on 128 commits: a 10% step (well above the noise) is
 * found exactly; a 5% step is found or the search says it cannot confirm one, never a wrong
 * culprit with status FOUND.
 */
static void test_noise_models(void **state)
{
	const struct pb_search_ops nops = { ns_build, ns_sample, NULL, NULL, NULL };
	struct pb_search_opts o = opts(false);
	struct pb_noise_sim ns;
	struct pb_search_result r;
	uint64_t seed;
	int m;

	(void)state;
	for (m = 0; m < PB_NOISE_MODELS; m++)
		for (seed = 1; seed <= 6; seed++) {
			size_t culprit = 1 + (seed * 37) % 127;

			pb_noise_sim_init(&ns, m, 127, culprit, 0.10, seed);
			assert_int_equal(pb_search_run(127, &o, &nops, &ns, &r), 0);
			if (r.status != PB_SEARCH_FOUND || r.culprits[0].index != culprit)
				fail_msg("%s seed %d: status %d culprit %zu (want %zu): %s",
					 pb_noise_model_name(m), (int)seed, r.status,
					 r.n_culprits ? r.culprits[0].index : 0, culprit, r.why);
			assert_true(r.confirmed);
			assert_int_equal(r.confirm_endpoints.verdict, PB_VERDICT_SLOWER);
			assert_true(r.culprits[0].explained_ci95[0] <= 1 && r.culprits[0].explained_ci95[1] >= 0.5);
			pb_search_result_release(&r);

			pb_noise_sim_init(&ns, m, 127, culprit, 0.05, seed + 100);
			assert_int_equal(pb_search_run(127, &o, &nops, &ns, &r), 0);
			if (r.status == PB_SEARCH_FOUND && r.culprits[0].index != culprit)
				fail_msg("%s seed %d: wrong culprit %zu (want %zu) with status found",
					 pb_noise_model_name(m), (int)seed + 100, r.culprits[0].index, culprit);
			pb_search_result_release(&r);
		}
}

/*
 * Which steps were judged against pooled references, for fixed seeds (5% step, 128 commits): with
 * iid noise nearly all of them, at a fraction of the runs of full blocks; under drift the fresh
 * references disagree with the pool, and the steps fall back to full blocks.
 */
static void test_pooled_steps(void **state)
{
	const struct pb_search_ops nops = { ns_build, ns_sample, NULL, NULL, NULL };
	struct pb_search_opts o = opts(false);
	const enum pb_noise_model models[] = { PB_NOISE_IID, PB_NOISE_DRIFT };
	size_t steps[2] = { 0, 0 }, pooled[2] = { 0, 0 }, runs[2] = { 0, 0 }, k, j;
	struct pb_noise_sim ns;
	struct pb_search_result r;
	uint64_t seed;

	(void)state;
	for (j = 0; j < 2; j++)
		for (seed = 1; seed <= 10; seed++) {
			size_t culprit = 1 + (seed * 37) % 127;

			pb_noise_sim_init(&ns, models[j], 127, culprit, 0.05, seed);
			assert_int_equal(pb_search_run(127, &o, &nops, &ns, &r), 0);
			assert_int_equal(r.status, PB_SEARCH_FOUND);
			assert_int_equal(r.culprits[0].index, culprit);
			for (k = 0; k < r.n_steps; k++)
				if (strcmp(r.steps[k].why, "bisect") == 0) {
					steps[j]++;
					pooled[j] += r.steps[k].pooled;
				}
			runs[j] += r.runs_total;
			pb_search_result_release(&r);
		}
	assert_int_equal(steps[0], 77); /* one seed restarts once */
	assert_int_equal(pooled[0], 70);
	assert_int_equal(runs[0], 1732);
	assert_int_equal(steps[1], 84);
	assert_int_equal(pooled[1], 67);
	assert_int_equal(runs[1], 895);
}

/* Equal commits on a machine whose load comes and goes: never a culprit. */
static void test_bursts_without_regression(void **state)
{
	const struct pb_search_ops nops = { ns_build, ns_sample, NULL, NULL, NULL };
	struct pb_search_opts o = opts(false);
	struct pb_noise_sim ns;
	struct pb_search_result r;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 10; seed++) {
		pb_noise_sim_init(&ns, PB_NOISE_BURSTS, 63, 1000, 0, seed);
		assert_int_equal(pb_search_run(63, &o, &nops, &ns, &r), 0);
		assert_true(r.status != PB_SEARCH_FOUND);
		pb_search_result_release(&r);
	}
}

/* pb_unstable_check: alternation and drift are named with their numbers; iid and bimodal noise
 * (1000 series of 20 runs each, two commits 5% apart interleaved) never are. */
static void test_unstable_patterns(void **state)
{
	size_t g[20], k, seed, flagged = 0;
	double v[20];
	char why[200];
	struct pb_noise_sim ns;
	int m;

	(void)state;
	for (k = 0; k < 20; k++) {
		g[k] = k % 3 == 0;
		v[k] = (g[k] ? 10.5 : 10.0) * (k % 2 ? 1.3 : 1.0);
	}
	assert_true(pb_unstable_check(g, v, 20, 0.02, why, sizeof(why)));
	assert_string_equal(why, "the runs alternate between two modes, every other run 30.0% slower "
				 "(20 runs, spread within a mode 0.0%)");
	for (k = 0; k < 20; k++)
		v[k] = (g[k] ? 10.5 : 10.0) * (1 + 0.01 * (double)k);
	assert_true(pb_unstable_check(g, v, 20, 0.02, why, sizeof(why)));
	assert_string_equal(why, "every run is slower than the last (19 of 19 in a row), +13.2% from "
				 "the first third of the 20 runs to the last");
	/* Too few runs, or a drift smaller than min_effect: not judged unstable. */
	assert_false(pb_unstable_check(g, v, 7, 0.02, why, sizeof(why)));
	for (k = 0; k < 20; k++)
		v[k] = 10.0 * (1 + 0.0001 * (double)k);
	assert_false(pb_unstable_check(g, v, 20, 0.02, why, sizeof(why)));
	for (m = 0; m < PB_NOISE_MODELS; m++)
		for (seed = 1; seed <= 1000; seed++) {
			if (m == PB_NOISE_DRIFT)
				continue; /* a slow wave: runs in a row do drift, a little */
			pb_noise_sim_init(&ns, m, 1, 1, 0.05, seed);
			for (k = 0; k < 20; k++) {
				g[k] = pb_noise_sim_uniform(&ns) < 0.5;
				v[k] = pb_noise_sim_value(&ns, g[k]);
			}
			flagged += pb_unstable_check(g, v, 20, 0.02, why, sizeof(why));
		}
	assert_int_equal(flagged, 0);
}

/* The search stops at the endpoints with PB_SEARCH_UNSTABLE when every other run is slower. */
static int alt_sample(void *arg, size_t i, double *v)
{
	size_t *t = arg;

	*v = (i >= 5 ? 11.0 : 10.0) * ((*t)++ % 2 ? 1.25 : 1.0);
	return 0;
}

static void test_unstable_search(void **state)
{
	const struct pb_search_ops aops = { ns_build, alt_sample, NULL, NULL, NULL };
	struct pb_search_opts o = opts(false);
	struct pb_search_result r;
	size_t t = 0;

	(void)state;
	assert_int_equal(pb_search_run(8, &o, &aops, &t, &r), 0);
	assert_int_equal(r.status, PB_SEARCH_UNSTABLE);
	assert_string_equal(r.why, "the runs alternate between two modes, every other run 25.0% slower "
				   "(20 runs, spread within a mode 0.0%)");
	assert_int_equal(r.runs_total, 20);
	assert_int_equal(r.n_culprits, 0);
	pb_search_result_release(&r);
}

static void test_endpoint_cannot_build(void **state)
{
	struct sim s = { 8, 10.0, 0.01, { 4, 0 }, { 0.1, 0 }, { 8, 0, 0, 0 }, 3, 0, 0 };
	struct pb_search_opts o = opts(false);
	struct pb_search_result r;

	(void)state;
	assert_int_equal(pb_search_run(8, &o, &ops, &s, &r), -1);
	assert_string_equal(pb_error_message(), "the bad commit cannot be built");
	assert_int_equal(pb_error_exit_code(), PB_EXIT_INCONCLUSIVE);
	pb_search_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_culprit_noisy),
		cmocka_unit_test(test_exact_metric_one_run_per_commit),
		cmocka_unit_test(test_exact_metric_not_repeatable),
		cmocka_unit_test(test_no_regression),
		cmocka_unit_test(test_build_failures_around_culprit),
		cmocka_unit_test(test_two_culprits),
		cmocka_unit_test(test_endpoint_cannot_build),
		cmocka_unit_test(test_noise_models),
		cmocka_unit_test(test_bursts_without_regression),
		cmocka_unit_test(test_unstable_patterns),
		cmocka_unit_test(test_pooled_steps),
		cmocka_unit_test(test_unstable_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
