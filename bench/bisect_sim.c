/* bisect_sim.c: culprit accuracy and runs of placebisect's search against a fixed-sample threshold
 * bisection (20 runs per commit, median against the midpoint of good and bad: the script people
 * write for `git bisect run`), on the same simulated benchmark with each noise model (noise_sim.h),
 * over many seeds. Prints, per model: % exact, % wrong with exit 0, % exit 4, runs per bisect.
 * Then where placebisect's runs went, per bisect on average: endpoints, steps, the culprit's
 * confirmation, good against bad again, and everything after a restart (told apart by the search's
 * step callback). SIM_DEBUG=1 also prints each miss.
 * Usage: bisect_sim [SEEDS] [MODEL|all] [EFFECT] [JOBS]   (200, all, 0.05, 1) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/search.h"
#include "noise_sim.h"

enum phase { PH_ENDPOINTS, PH_STEPS, PH_CONFIRM, PH_AGAIN, PH_RESTART, PHASES };

struct sim {
	struct pb_noise_sim ns;
	size_t samples;
	enum phase phase;
	size_t by_phase[PHASES];
};

/* The search says what each step is; a restart keeps its runs apart from then on. */
static void sim_step(void *arg, size_t i, int k, int total, const char *what)
{
	struct sim *s = arg;

	(void)i;
	(void)k;
	(void)total;
	if (s->phase == PH_RESTART || strncmp(what, "starting over", 13) == 0)
		s->phase = PH_RESTART;
	else if (strncmp(what, "building and measuring", 22) == 0)
		s->phase = PH_ENDPOINTS;
	else if (strncmp(what, "confirming the culprit", 22) == 0)
		s->phase = PH_CONFIRM;
	else if (strncmp(what, "measuring good and bad again", 28) == 0)
		s->phase = PH_AGAIN;
	else
		s->phase = PH_STEPS;
}

static int sim_build(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return 0;
}

static int sim_sample(void *arg, size_t i, double *v)
{
	struct sim *s = arg;

	s->samples++;
	s->by_phase[s->phase]++;
	*v = pb_noise_sim_value(&s->ns, i);
	return 0;
}

/* k-way: a batch's values in the order asked, on the same clock as single samples. */
static int sim_sample_many(void *arg, const size_t *ids, size_t n, double *values, int *rcs)
{
	for (size_t k = 0; k < n; k++)
		rcs[k] = sim_sample(arg, ids[k], &values[k]);
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

	for (k = 0; k < runs; k++) {
		v[k] = pb_noise_sim_value(&s->ns, i);
		s->samples++;
	}
	qsort(v, runs, sizeof(double), cmp_double);
	return runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
}

/* The fixed-sample threshold bisection: measure good and bad (20 runs each), then every midpoint
 * (20 runs), "bad" when its median is at least the midpoint of the good and bad medians. It has no
 * exit 4: it always names a commit. */
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
	const char *only = argc > 2 ? argv[2] : NULL;
	double step = argc > 3 ? strtod(argv[3], NULL) : 0.05;
	/* k-way (--jobs K): commits judged per round; the batch's values dropped are not counted */
	const struct pb_search_kway kw = { argc > 4 ? strtoul(argv[4], NULL, 10) : 1, NULL, sim_sample_many };
	size_t rounds = 0;
	struct pb_search_opts o = { 0.01, 0.02, 10, 60, false, 0.8, 4 };
	const struct pb_search_ops ops = { sim_build, sim_sample, sim_step, NULL, NULL };

	printf("simulated benchmark: %zu commits, one %.0f%% regression, %zu seeds per noise model%s\n",
	       n + 1, step * 100, seeds, kw.jobs > 1 ? ", k-way" : "");
	if (kw.jobs > 1)
		printf("placebisect judges %zu commits per round (--jobs %zu); runs counted are those the search "
		       "took (a round's batch values no step used are dropped, not counted)\n", kw.jobs, kw.jobs);
	printf("%-8s %-34s %8s %8s %8s %12s\n", "noise", "tool", "exact", "wrong@0", "exit 4",
	       "runs/bisect");
	for (int m = 0; m < PB_NOISE_MODELS; m++) {
		size_t pb_ok = 0, pb_wrong = 0, pb_four = 0, pb_runs = 0, fx_ok = 0, fx_runs = 0;
		size_t phases[PHASES] = { 0 }, restarted = 0, nsteps = 0, npooled = 0, pooled_blocks = 0, blocked_blocks = 0;

		if (only && strcmp(only, "all") != 0 && strcmp(only, pb_noise_model_name(m)) != 0)
			continue;
		for (seed = 1; seed <= seeds; seed++) {
			size_t culprit = 1 + (seed * 37) % n;
			struct sim s = { .samples = 0, .phase = PH_ENDPOINTS };
			struct pb_search_result r;
			int rc;

			pb_noise_sim_init(&s.ns, m, n, culprit, step, seed);
			rc = pb_search_run_kway(n, &o, &ops, &kw, &s, &r);
			rounds += (size_t)r.rounds;
			if (rc == 0 && r.status == PB_SEARCH_FOUND && r.culprits[0].index == culprit)
				pb_ok++;
			else if (rc == 0 && r.status == PB_SEARCH_FOUND)
				pb_wrong++;
			else
				pb_four++;
			if (getenv("SIM_DEBUG") && !(rc == 0 && r.status == PB_SEARCH_FOUND &&
						     r.culprits[0].index == culprit))
				printf("  %s seed %zu: culprit %zu, status %d, named %zu, %zu runs: %s\n",
				       pb_noise_model_name(m), seed, culprit, r.status,
				       r.n_culprits ? r.culprits[0].index : 0, s.samples, r.why);
			if (getenv("SIM_DEBUG") && rc == 0 && r.status == PB_SEARCH_FOUND && r.culprits[0].index != culprit)
				for (size_t k3 = 0; k3 < r.n_culprits; k3++)
					printf("    culprit %zu: ratio %.4f p %.3g, %zu blocks, explained %.2f\n",
					       r.culprits[k3].index, r.culprits[k3].effect.ratio,
					       r.culprits[k3].effect.p_value, r.culprits[k3].blocks,
					       r.culprits[k3].explained_fraction);
			pb_runs += s.samples;
			for (int p = 0; p < PHASES; p++)
				phases[p] += s.by_phase[p];
			restarted += r.restarts > 0;
			for (size_t k2 = 0; k2 < r.n_steps; k2++)
				if (strcmp(r.steps[k2].why, "bisect") == 0) {
					nsteps++;
					npooled += r.steps[k2].pooled;
					if (r.steps[k2].pooled)
						pooled_blocks += r.steps[k2].blocks;
					else
						blocked_blocks += r.steps[k2].blocks;
				}
			pb_search_result_release(&r);

			pb_noise_sim_init(&s.ns, m, n, culprit, step, seed + 1000003);
			s.samples = 0;
			if (fixed_bisect(&s, n, 20) == culprit)
				fx_ok++;
			fx_runs += s.samples;
		}
		printf("%-8s %-34s %7.1f%% %7.1f%% %7.1f%% %12.1f\n", pb_noise_model_name(m),
		       "placebisect search (in-process)", 100.0 * pb_ok / seeds, 100.0 * pb_wrong / seeds,
		       100.0 * pb_four / seeds, (double)pb_runs / seeds);
		printf("%-8s %-34s %7.1f%% %7.1f%% %7.1f%% %12.1f\n", "",
		       "fixed 20 runs, median vs midpoint", 100.0 * fx_ok / seeds,
		       100.0 * (seeds - fx_ok) / seeds, 0.0, (double)fx_runs / seeds);
		printf("%-8s runs ratio placebisect/fixed: %.2f\n", "", (double)pb_runs / (double)fx_runs);
		printf("%-8s placebisect runs per bisect: endpoints %.1f, steps %.1f, culprit vs parent %.1f, "
		       "good vs bad again %.1f, after a restart %.1f (%.1f%% of bisects restarted)\n", "",
		       (double)phases[PH_ENDPOINTS] / seeds, (double)phases[PH_STEPS] / seeds,
		       (double)phases[PH_CONFIRM] / seeds, (double)phases[PH_AGAIN] / seeds,
		       (double)phases[PH_RESTART] / seeds, 100.0 * restarted / seeds);
		printf("%-8s rounds per bisect %.1f\n", "", (double)rounds / (double)seeds);
		rounds = 0;
		printf("%-8s steps %zu, judged against the pooled references %zu (%.1f%%, %.1f blocks each; "
		       "the others %.1f blocks each)\n", "", nsteps, npooled, 100.0 * npooled / (nsteps ? nsteps : 1),
		       (double)pooled_blocks / (npooled ? npooled : 1),
		       (double)blocked_blocks / (nsteps - npooled ? nsteps - npooled : 1));
		fflush(stdout);
	}
	return 0;
}
