/* test_changepoint.c: E-Divisive with t-test on synthetic series whose change points are known exactly:
 * steps with and without noise, several steps, steps on a drift, drift alone, long series through
 * the sliding windows, and points whose code (.text hash) did not change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nightly/changepoint.h"

static uint64_t rng = 88172645463325252ULL;

static double uniform(void)
{
	/* xorshift64*: the same sequence everywhere */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform() + 1e-300)) * cos(2 * M_PI * uniform());
}

/* level(i) + sigma * N(0, 1) for i < n */
static double *series(size_t n, double (*level)(size_t), double sigma, uint64_t seed)
{
	double *x = malloc(n * sizeof(*x));
	size_t i;

	rng = seed;
	for (i = 0; i < n; i++)
		x[i] = level(i) + sigma * gauss();
	return x;
}

static const struct pb_cp_opts defaults = { PB_CP_WINDOW, PB_CP_MAX_PVALUE, 0 };

/* The indices found, as "i,j,k" for one readable assertion. */
static void found(const double *x, const uint64_t *hash, size_t n, const struct pb_cp_opts *o,
		  char *out, size_t size)
{
	struct pb_change_point *cp;
	size_t k, m, len = 0;

	pb_changepoints_find(x, hash, n, o, &cp, &m);
	out[0] = '\0';
	for (k = 0; k < m; k++)
		len += (size_t)snprintf(out + len, size - len, "%s%zu", k ? "," : "", cp[k].index);
	free(cp);
}

static double step37(size_t i) { return i < 37 ? 100 : 110; }
static double two_steps(size_t i) { return i < 20 ? 100 : i < 45 ? 108 : 95; }
static double drift_step(size_t i) { return 100 + 0.01 * (double)i + (i >= 50 ? 6 : 0); }
static double ramp(size_t i) { return i < 30 ? 100 : i < 40 ? 100 + (double)(i - 30) : 110; }
static double drift(size_t i) { return 100 + 0.01 * (double)i; }
static double far_steps(size_t i) { return i < 60 ? 50 : i < 140 ? 53 : 51; }

static void test_step_noise(void **state)
{
	char got[128];
	double *x;
	uint64_t seed;

	(void)state;
	/* 1% noise, a 10% step at 37: found exactly, whatever the noise sequence. */
	for (seed = 1; seed <= 20; seed++) {
		x = series(60, step37, 1.0, seed * 7919);
		found(x, NULL, 60, &defaults, got, sizeof(got));
		assert_string_equal(got, "37");
		free(x);
	}
}

static void test_step_exact(void **state)
{
	struct pb_change_point *cp;
	double x[20];
	size_t i, m;

	(void)state;
	/* A deterministic metric (cachegrind): zero spread, the step is certain. */
	for (i = 0; i < 20; i++)
		x[i] = i < 13 ? 1000 : 1090;
	pb_changepoints_find(x, NULL, 20, &defaults, &cp, &m);
	assert_int_equal(m, 1);
	assert_int_equal(cp[0].index, 13);
	assert_true(cp[0].p_value == 0);
	assert_true(fabs(cp[0].rel_change - 0.09) < 1e-12);
	assert_true(cp[0].mean_before == 1000 && cp[0].mean_after == 1090);
	free(cp);
	/* Flat: nothing. */
	for (i = 0; i < 20; i++)
		x[i] = 1000;
	pb_changepoints_find(x, NULL, 20, &defaults, &cp, &m);
	assert_int_equal(m, 0);
	assert_null(cp);
}

static void test_two_steps(void **state)
{
	char got[128];
	double *x = series(70, two_steps, 1.0, 4242);

	(void)state;
	found(x, NULL, 70, &defaults, got, sizeof(got));
	assert_string_equal(got, "20,45");
	free(x);
}

static void test_drift(void **state)
{
	char got[128];
	double *x;

	(void)state;
	/* A step on top of a slow upward drift: the step, not the drift. */
	x = series(80, drift_step, 1.0, 99);
	found(x, NULL, 80, &defaults, got, sizeof(got));
	assert_string_equal(got, "50");
	free(x);
	/* A drift of 0.6% over 60 points in 1% noise is no change point. */
	x = series(60, drift, 1.0, 7);
	found(x, NULL, 60, &defaults, got, sizeof(got));
	assert_string_equal(got, "");
	free(x);
}

static void test_ramp(void **state)
{
	const struct pb_cp_opts nightly = { PB_CP_WINDOW, PB_CP_MAX_PVALUE, 0.02 };
	struct pb_change_point *cp;
	uint64_t seed;
	double *x, total;
	size_t m, k;

	(void)state;
	/*
	 * A gradual regression: +10% spread over ten points (30..39) in 1% noise, with the nightly's
	 * min_magnitude (2%). E-Divisive cuts a ramp into steps: at least one, all at the ramp (up to
	 * two points before it, where the noise blurs its start), together the whole +10%.
	 */
	for (seed = 1; seed <= 20; seed++) {
		x = series(70, ramp, 1.0, seed * 104729);
		pb_changepoints_find(x, NULL, 70, &nightly, &cp, &m);
		assert_in_range(m, 1, 4);
		total = 1;
		for (k = 0; k < m; k++) {
			assert_in_range(cp[k].index, 28, 41);
			assert_true(cp[k].rel_change > 0.02 && cp[k].p_value < PB_CP_MAX_PVALUE);
			total *= 1 + cp[k].rel_change;
		}
		assert_true(total > 1.07 && total < 1.12);
		free(cp);
		free(x);
	}
}

static void test_windows(void **state)
{
	const struct pb_cp_opts small = { 30, PB_CP_MAX_PVALUE, 0 };
	char got[128];
	double *x = series(200, far_steps, 0.5, 31337);

	(void)state;
	/* Windows of 30 over 200 points: both steps, exact. */
	found(x, NULL, 200, &small, got, sizeof(got));
	assert_string_equal(got, "60,140");
	free(x);
}

static void test_same_code(void **state)
{
	uint64_t hash[60];
	char got[128];
	double *x = series(60, step37, 1.0, 5);
	size_t i;

	(void)state;
	/* The binary's code never changed: the step is not the code's doing (noise, the machine). */
	for (i = 0; i < 60; i++)
		hash[i] = 0xabcdef;
	found(x, hash, 60, &defaults, got, sizeof(got));
	assert_string_equal(got, "");
	/* The code changed at 37 (and at 10, with no effect): the step stays. */
	for (i = 0; i < 60; i++)
		hash[i] = i < 10 ? 1 : i < 37 ? 2 : 3;
	found(x, hash, 60, &defaults, got, sizeof(got));
	assert_string_equal(got, "37");
	/* Unknown hashes (0) prove nothing. */
	for (i = 0; i < 60; i++)
		hash[i] = 0;
	found(x, hash, 60, &defaults, got, sizeof(got));
	assert_string_equal(got, "37");
	free(x);
}

static void test_short_and_magnitude(void **state)
{
	const double four[] = { 100000, 100000, 100000, 108000 };
	const double tiny[] = { 1000, 1000, 1000, 1000, 1001, 1001, 1001, 1001 };
	const struct pb_cp_opts big = { PB_CP_WINDOW, PB_CP_MAX_PVALUE, 0.02 };
	char got[128];

	(void)state;
	/* Nightly-sized series: the newest point is a change when the metric is exact. */
	found(four, NULL, 4, &defaults, got, sizeof(got));
	assert_string_equal(got, "3");
	found(four, NULL, 2, &defaults, got, sizeof(got));
	assert_string_equal(got, "");
	found(four, NULL, 0, &defaults, got, sizeof(got));
	assert_string_equal(got, "");
	/* Certain but tiny (0.1%): dropped by min_magnitude. */
	found(tiny, NULL, 8, &defaults, got, sizeof(got));
	assert_string_equal(got, "4");
	found(tiny, NULL, 8, &big, got, sizeof(got));
	assert_string_equal(got, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_noise),
		cmocka_unit_test(test_step_exact),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_ramp),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_same_code),
		cmocka_unit_test(test_short_and_magnitude),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
