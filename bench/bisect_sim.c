/* bisect_sim.c: culprit accuracy and runs of placebisect's search against a fixed-sample threshold
 * bisection (20 runs per commit, median against the midpoint of good and bad: the script people
 * write for `git bisect run`), on the same simulated benchmark, over many seeds. Prints both. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/search.h"

struct sim {
	double base, noise, step;
	size_t culprit;
	uint64_t rng;
	size_t samples;
};

static double uniform(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double value(struct sim *s, size_t i)
{
	double u = uniform(s), v = uniform(s);
	double g = sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);

	s->samples++;
	return s->base * (i >= s->culprit ? 1 + s->step : 1) * exp(s->noise * g);
}

static int sim_build(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return 0;
}

static int sim_sample(void *arg, size_t i, double *v)
{
	*v = value(arg, i);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(struct sim *s, size_t i, size_t runs)
{
	double v[64];
	size_t k;

	for (k = 0; k < runs; k++)
		v[k] = value(s, i);
	qsort(v, runs, sizeof(double), cmp_double);
	return runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
}

/* The fixed-sample threshold bisection: measure good and bad (20 runs each), then every midpoint
 * (20 runs), "bad" when its median is at least the midpoint of the good and bad medians. */
static size_t fixed_bisect(struct sim *s, size_t n, size_t runs)
{
	double good = median_of(s, 0, runs), bad = median_of(s, n, runs), thr = (good + bad) / 2;
	size_t lo = 0, hi = n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (median_of(s, mid, runs) >= thr)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int main(int argc, char **argv)
{
	size_t seeds = argc > 1 ? strtoul(argv[1], NULL, 10) : 200, n = 127, seed;
	double noise = argc > 2 ? strtod(argv[2], NULL) : 0.03, step = argc > 3 ? strtod(argv[3], NULL) : 0.05;
	struct pb_search_opts o = { 0.01, 0.02, 10, 60, false, 0.8, 4 };
	const struct pb_search_ops ops = { sim_build, sim_sample, NULL, NULL, NULL };
	size_t pb_ok = 0, pb_runs = 0, fx_ok = 0, fx_runs = 0, pb_extra = 0;

	for (seed = 1; seed <= seeds; seed++) {
		struct sim s = { 10.0, noise, step, 1 + (seed * 37) % n, seed * 7919 + 17, 0 };
		struct pb_search_result r;

		if (pb_search_run(n, &o, &ops, &s, &r) == 0 && r.status == PB_SEARCH_FOUND &&
		    r.culprits[0].index == s.culprit)
			pb_ok++;
		if (r.n_culprits > 1)
			pb_extra++;
		if (getenv("SIM_DEBUG") && !(r.status == PB_SEARCH_FOUND && r.culprits[0].index == s.culprit))
			printf("seed %zu: culprit %zu, status %d, found %zu (%zu culprits), %zu runs\n", seed,
			       s.culprit, r.status, r.n_culprits ? r.culprits[0].index : 0, r.n_culprits,
			       s.samples);
		pb_runs += s.samples;
		pb_search_result_release(&r);

		s.samples = 0;
		s.rng = seed * 104729 + 3;
		if (fixed_bisect(&s, n, 20) == s.culprit)
			fx_ok++;
		fx_runs += s.samples;
	}
	printf("simulated benchmark: %zu commits, one %.0f%% regression, %.0f%% noise (lognormal), %zu seeds\n",
	       n + 1, step * 100, noise * 100, seeds);
	printf("%-44s %10s %12s\n", "", "correct", "runs/bisect");
	printf("%-44s %9.1f%% %12.1f\n", "placebisect (SPRT, alpha 0.01, min_effect 2%)",
	       100.0 * pb_ok / seeds, (double)pb_runs / seeds);
	printf("%-44s %9.1f%% %12.1f\n", "fixed 20 runs/commit, median vs midpoint", 100.0 * fx_ok / seeds,
	       (double)fx_runs / seeds);
	printf("runs ratio placebisect/fixed: %.2f   (spurious extra culprits: %zu)\n",
	       (double)pb_runs / (double)fx_runs, pb_extra);
	return 0;
}
