/* test_seqtest.c: the sequential test of paired blocks (seqtest.c): known sequences give exact decisions
 * and block counts, and on seeded null data (iid, two modes, drift) it passes an equal pair as slower
 * less often than alpha. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "core/error.h"
#include "measure/seqtest.h"

#define ABS(want, got, tol) assert_true(fabs((got) - (want)) <= (tol))

/* Reference values computed by hand (Python's math module): for effect 0.05 and sigma 0.05 a block
 * with d = log(b / a) = +-0.05 has log-odds x = 2 * 0.05 * d / 0.05^2 = +-2 and log factor
 * log 2 - log(1 + exp(-x)) = 0.5662191695169728 (x = 2) or -1.4337808304830273 (x = -2); a block
 * clipped to the bet's cap 2.2 has 0.5880638607912494. Bounds at alpha 0.01, beta 0.005:
 * log(100) = 4.605170185988092, log(0.005 / 0.99) = -5.288267030694535. */
static void test_known_sequences(void **state)
{
	struct pb_seqtest t;
	enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;
	const double up = exp(0.05), seq[] = { 0.05, 0.05, -0.05, 1.0, -0.02 };
	size_t k;

	(void)state;
	/* Each block +0.05: 9 blocks reach log(100) (8 give 4.53). */
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	ABS(4.605170185988092, t.upper, 1e-12);
	ABS(-5.288267030694535, t.lower, 1e-12);
	while (st == PB_SEQTEST_CONTINUE)
		st = pb_seqtest_add(&t, 1.0, up);
	assert_int_equal(st, PB_SEQTEST_EFFECT);
	assert_int_equal(t.n, 9);
	ABS(5.095972525652756, t.llr, 1e-9);
	ABS(0.006121350568648099, pb_seqtest_p(&t), 1e-9);

	/* Each block -0.05: 4 blocks reach the lower bound. */
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	st = PB_SEQTEST_CONTINUE;
	while (st == PB_SEQTEST_CONTINUE)
		st = pb_seqtest_add(&t, up, 1.0);
	assert_int_equal(st, PB_SEQTEST_NULL);
	assert_int_equal(t.n, 4);
	ABS(-5.735123321932109, t.llr, 1e-9);
	assert_true(pb_seqtest_p(&t) == 1);

	/* Mixed, with a burst (d = 1.0, clipped to effect + sigma, its log-odds capped at 2.2) and a
	 * value that cannot be used (not counted). */
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	for (k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
		assert_int_equal(pb_seqtest_add(&t, 1.0, exp(seq[k])), PB_SEQTEST_CONTINUE);
		if (k == 2)
			assert_int_equal(pb_seqtest_add(&t, 0.0, 1.0), PB_SEQTEST_CONTINUE);
	}
	assert_int_equal(t.n, 5);
	ABS(-0.1912321160456648, t.llr, 1e-9);
	ABS(0.3222465513404899, pb_seqtest_p(&t), 1e-9);

	/* Parameters out of range. */
	assert_int_equal(pb_seqtest_init(&t, 0, 0.05, 0.01, 0.005), -1);
	assert_int_equal(pb_seqtest_init(&t, 0.05, -1, 0.01, 0.005), -1);
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 1.5, 0.005), -1);
	pb_error_clear();
}

static uint64_t rng;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

enum null_model { NULL_IID, NULL_BIMODAL, NULL_DRIFT };

/* The machine's factor at run t (the same commit on both sides of each block: no difference). */
static double slot(enum null_model m, size_t t, double phase)
{
	switch (m) {
	case NULL_IID:
		return exp(0.03 * gauss());
	case NULL_BIMODAL:
		return (uniform() < 0.3 ? 1.08 : 1) * exp(0.01 * gauss());
	case NULL_DRIFT:
		return exp(0.10 * sin(2 * M_PI * (double)t / 60 + phase) + 0.01 * gauss());
	}
	return 1;
}

/*
 * False positives on null data: 4000 trials per model, each up to 60 blocks of two runs of the same
 * commit, in an order drawn per block, with the bet of a 5% effect in 3% noise (sigma of a block
 * 0.0424). Ville's inequality bounds the rate by alpha = 0.01 (40 trials); measured 0.65% (iid),
 * 0.90% (two modes) and 0.38% (drift); the counts are exact
 * for the seed. Drift here is fast (a period of 60 runs, +-10%), so the two runs of a block differ
 * by up to 1%: without the random order it would pass as slower every time.
 */
static void test_null_false_positives(void **state)
{
	const size_t trials = 4000, want[] = { 26, 36, 15 };
	struct pb_seqtest t;
	size_t m, k, n, fp, clock;
	double x1, x2, phase;

	(void)state;
	for (m = 0; m < 3; m++) {
		rng = 0x9e3779b97f4a7c15ULL + m;
		fp = 0;
		for (k = 0; k < trials; k++) {
			enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;

			assert_int_equal(pb_seqtest_init(&t, 0.75 * log(1.05), 0.0424, 0.01, 0.005), 0);
			phase = 2 * M_PI * uniform();
			for (n = 0, clock = 0; n < 60 && st == PB_SEQTEST_CONTINUE; n++, clock += 2) {
				x1 = slot((enum null_model)m, clock, phase);
				x2 = slot((enum null_model)m, clock + 1, phase);
				st = uniform() < 0.5 ? pb_seqtest_add(&t, x1, x2) : pb_seqtest_add(&t, x2, x1);
			}
			fp += st == PB_SEQTEST_EFFECT;
		}
		print_message("null model %zu: %zu false positives in %zu trials\n", m, fp, trials);
		assert_true(fp <= trials / 100);
		assert_int_equal(fp, want[m]);
	}
}

/*
 * The same on blocks of 2 + 2 runs (pb_seqtest_add_block, m = 2, cap 2 * 3.2 as the culprit's
 * confirmation uses): the four slots of each block taken in a row, the two runs of b placed on two of
 * them drawn uniformly at random. Every model's rate stays under alpha = 0.01: measured 0.53% (iid),
 * 0.60% (two modes), 0.35% (drift); the counts are exact for the seed.
 */
static void test_null_false_positives_blocks(void **state)
{
	const size_t trials = 4000, want[] = { 21, 24, 14 };
	struct pb_seqtest t;
	size_t m, k, n, fp, clock, j, u, tmp, order[4];
	double x[4], a[2], b[2], phase;

	(void)state;
	for (m = 0; m < 3; m++) {
		rng = 0x51ed2701f00dULL + m;
		fp = 0;
		for (k = 0; k < trials; k++) {
			enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;

			assert_int_equal(pb_seqtest_init(&t, 0.75 * log(1.05), 0.0424, 0.01, 0.005), 0);
			t.xmax = 3.2;
			phase = 2 * M_PI * uniform();
			for (n = 0, clock = 0; n < 30 && st == PB_SEQTEST_CONTINUE; n++, clock += 4) {
				for (j = 0; j < 4; j++) {
					x[j] = slot((enum null_model)m, clock + j, phase);
					order[j] = j;
				}
				for (j = 4; j > 1; j--) {
					u = (size_t)(uniform() * (double)j);
					tmp = order[j - 1];
					order[j - 1] = order[u];
					order[u] = tmp;
				}
				a[0] = x[order[0]];
				a[1] = x[order[1]];
				b[0] = x[order[2]];
				b[1] = x[order[3]];
				st = pb_seqtest_add_block(&t, a, b, 2);
			}
			fp += st == PB_SEQTEST_EFFECT;
		}
		print_message("null model %zu, blocks of 2 + 2: %zu false positives in %zu trials\n", m, fp,
			      trials);
		assert_true(fp <= trials / 100);
		assert_int_equal(fp, want[m]);
	}
}

/* Known blocks: one of 1 + 1 is pb_seqtest_add's; one of 2 + 2 with b clearly slower gains
 * log(exp(u) / ((exp(u) + 4 + exp(-u)) / 6)) at the cap u = 2 * xmax / 2 when the values sit at
 * +-c (here c = (effect + sigma) / 2 = 0.05 and the placements' spread 4c): u = 3.2, 1.6392...; the
 * same block reversed loses log(exp(-3.2) / ((exp(3.2) + 4 + exp(-3.2)) / 6)) = -4.7608... */
static void test_known_blocks(void **state)
{
	struct pb_seqtest t, u;
	const double a[2] = { exp(-0.2), exp(-0.2) }, b[2] = { exp(0.2), exp(0.2) };
	double num = exp(3.2), den = (exp(3.2) + 4 + exp(-3.2)) / 6;

	(void)state;
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	assert_int_equal(pb_seqtest_init(&u, 0.05, 0.05, 0.01, 0.005), 0);
	pb_seqtest_add(&t, 1.0, exp(0.03));
	pb_seqtest_add_block(&u, (const double[]){ 1.0 }, (const double[]){ exp(0.03) }, 1);
	ABS(t.llr, u.llr, 1e-12);
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	t.xmax = 3.2;
	assert_int_equal(pb_seqtest_add_block(&t, a, b, 2), PB_SEQTEST_CONTINUE);
	ABS(log(num / den), t.llr, 1e-9);
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	t.xmax = 3.2;
	pb_seqtest_add_block(&t, b, a, 2);
	ABS(log(exp(-3.2) / den), t.llr, 1e-9);
	/* A value that is not a positive number: the block does not count. */
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.01, 0.005), 0);
	pb_seqtest_add_block(&t, (const double[]){ 1.0, 0.0 }, b, 2);
	assert_int_equal(t.n, 0);
	/* Three blocks of 2 + 2 this clear reach log(1 / 0.008): the culprit's confirmation's floor. */
	assert_int_equal(pb_seqtest_init(&t, 0.05, 0.05, 0.008, 0.005), 0);
	t.xmax = 3.2;
	pb_seqtest_add_block(&t, a, b, 2);
	pb_seqtest_add_block(&t, a, b, 2);
	assert_int_equal(pb_seqtest_add_block(&t, a, b, 2), PB_SEQTEST_EFFECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_sequences),
		cmocka_unit_test(test_known_blocks),
		cmocka_unit_test(test_null_false_positives_blocks),
		cmocka_unit_test(test_null_false_positives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
