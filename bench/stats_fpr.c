/* stats_fpr.c: how often the two-sample tests call two equal distributions different (false positives),
 * by simulation: the raw min(MWU, KS), the corrected 2 * min (pb_stats_compare) and the paired signed-rank
 * test (pb_stats_compare_paired), for several sample sizes at alpha 0.01 and 0.05; then the sequential
 * test the confirmations use (measure/seqtest.h), which looks after every block, up to 60 blocks of
 * pairs or 30 of 2 + 2. Prints three tables. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "measure/seqtest.h"
#include "measure/stats.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double lognormal(double sigma)
{
	return 100 * exp(sigma * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform()));
}

int main(int argc, char **argv)
{
	size_t trials = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000, sizes[] = { 5, 10, 20, 30 };
	const double alphas[] = { 0.01, 0.05 };
	double a[30], b[30];

	printf("false-positive rate under the null (iid lognormal 3%%, %zu trials per row)\n", trials);
	printf("%4s %6s %14s %14s %14s\n", "n", "alpha", "min(MWU,KS)", "2*min (used)", "signed-rank");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t k = 0; k < 2; k++) {
			size_t n = sizes[s], raw = 0, bonf = 0, paired = 0, t, i;
			struct pb_comparison c;

			for (t = 0; t < trials; t++) {
				for (i = 0; i < n; i++) {
					a[i] = lognormal(0.03);
					b[i] = lognormal(0.03);
				}
				pb_stats_compare(a, n, b, n, alphas[k], 0, &c);
				raw += fmin(c.p_mwu, c.p_ks) <= alphas[k];
				bonf += c.p_value <= alphas[k];
				pb_stats_compare_paired(a, b, n, alphas[k], 0, &c);
				paired += c.p_value <= alphas[k];
			}
			printf("%4zu %6.2f %13.2f%% %13.2f%% %13.2f%%\n", n, alphas[k],
			       100.0 * raw / trials, 100.0 * bonf / trials, 100.0 * paired / trials);
		}
	printf("\nsequential test of the confirmations (pb_seqtest: bet on a 5%% effect, block sigma 4.24%%, "
	       "beta 0.005), up to 60 blocks of two equal runs,\nlooking after every block (%zu trials per row)\n",
	       trials);
	printf("%6s %14s %14s\n", "alpha", "false pos.", "mean blocks");
	for (size_t k = 0; k < 2; k++) {
		size_t fp = 0, blocks = 0, t, n;
		struct pb_seqtest q;

		for (t = 0; t < trials; t++) {
			enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;

			if (pb_seqtest_init(&q, 0.75 * log(1.05), 0.0424, alphas[k], 0.005))
				return 1;
			for (n = 0; n < 60 && st == PB_SEQTEST_CONTINUE; n++)
				st = pb_seqtest_add(&q, lognormal(0.03), lognormal(0.03));
			fp += st == PB_SEQTEST_EFFECT;
			blocks += q.n;
		}
		printf("%6.2f %13.2f%% %14.1f\n", alphas[k], 100.0 * fp / trials, (double)blocks / trials);
	}
	printf("\nthe same on blocks of 2 + 2 equal runs (pb_seqtest_add_block, the bet's cap 3.2 per pair, as the\n"
	       "culprit's confirmation and the endpoints use), up to 30 blocks\n");
	printf("%6s %14s %14s\n", "alpha", "false pos.", "mean blocks");
	for (size_t k = 0; k < 2; k++) {
		size_t fp = 0, blocks = 0, t, n;
		struct pb_seqtest q;
		double x[2], y[2];

		for (t = 0; t < trials; t++) {
			enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;

			if (pb_seqtest_init(&q, 0.75 * log(1.05), 0.0424, alphas[k], 0.005))
				return 1;
			q.xmax = 3.2;
			for (n = 0; n < 30 && st == PB_SEQTEST_CONTINUE; n++) {
				x[0] = lognormal(0.03);
				x[1] = lognormal(0.03);
				y[0] = lognormal(0.03);
				y[1] = lognormal(0.03);
				st = pb_seqtest_add_block(&q, x, y, 2);
			}
			fp += st == PB_SEQTEST_EFFECT;
			blocks += q.n;
		}
		printf("%6.2f %13.2f%% %14.1f\n", alphas[k], 100.0 * fp / trials, (double)blocks / trials);
	}
	return 0;
}
