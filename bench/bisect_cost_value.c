/* bisect_cost_value.c: the simulated benchmark of bench/bisect-cost.sh. Prints "value: X" with
 * X = LEVEL * F(run) * exp(NOISE * g), LEVEL read from a file of the checked-out tree and g a standard
 * normal drawn from (BISECT_COST_SEED, the run number), the run number kept in the file
 * BISECT_COST_COUNTER: the n-th run of either tool draws the same noise, whatever commit it measures.
 * BISECT_COST_MODEL picks F, a schedule over the run number (the noise models of bench/noise_sim.h):
 * iid (F = 1), drift (+-10% over 600 runs), bursts (5-60 runs x1.2-2.0, 1 run in 50 starts one),
 * bimodal (30% of runs x1.08); the models other than iid use NOISE 1% unless BISECT_COST_NOISE says. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *x)
{
	return ((double)(splitmix64(x) >> 11) + 0.5) / 9007199254740992.0; /* in (0, 1) */
}

static double env_number(const char *name, double dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtod(v, NULL) : dflt;
}

/* The process-wide factor of run `run` under `model` for this seed. */
static double factor(const char *model, uint64_t seed, unsigned long long run)
{
	uint64_t x = seed * 0x2545f4914f6cdd1dULL + 7;
	unsigned long long t, left = 0;
	double f = 1, phase;
	int in = 0;

	if (strcmp(model, "drift") == 0) {
		phase = 2 * M_PI * uniform(&x);
		return exp(0.10 * sin(2 * M_PI * (double)run / 600 + phase));
	}
	if (strcmp(model, "bursts") == 0) {
		/* Replay the schedule from the first run: a few thousand draws at most. */
		for (t = 1; t <= run; t++) {
			if (left == 0 && uniform(&x) < 1.0 / 50) {
				left = 5 + (unsigned long long)(uniform(&x) * 56);
				f = 1.2 + 0.8 * uniform(&x);
			}
			in = left > 0;
			if (left > 0)
				left--;
		}
		return in ? f : 1;
	}
	if (strcmp(model, "bimodal") == 0) {
		x ^= run * 0x9e3779b97f4a7c15ULL;
		return uniform(&x) < 0.3 ? 1.08 : 1;
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *counter = getenv("BISECT_COST_COUNTER"), *model = getenv("BISECT_COST_MODEL");
	unsigned long long run = 1;
	double level, noise, u, v;
	uint64_t x;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: bisect_cost_value LEVEL_FILE (a file holding the level)\n");
		return 2;
	}
	if (fscanf(f, "%lf", &level) != 1) {
		fprintf(stderr, "bisect_cost_value: %s holds no number\n", argv[1]);
		return 2;
	}
	fclose(f);
	if (!model || !*model)
		model = "iid";
	noise = env_number("BISECT_COST_NOISE", strcmp(model, "iid") == 0 ? 0.03 : 0.01);
	if (counter && (f = fopen(counter, "r+"))) {
		if (fscanf(f, "%llu", &run) != 1)
			run = 1;
		rewind(f);
		fprintf(f, "%llu\n", run + 1);
		fclose(f);
	}
	x = (uint64_t)env_number("BISECT_COST_SEED", 1) << 32 ^ run;
	u = uniform(&x);
	v = uniform(&x);
	printf("value: %.6f\n", level * factor(model, (uint64_t)env_number("BISECT_COST_SEED", 1), run) *
				       exp(noise * sqrt(-2 * log(u)) * cos(2 * M_PI * v)));
	return 0;
}
