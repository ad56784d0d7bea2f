/* bisect_cost_value.c: the simulated benchmark of bench/bisect-cost.sh. Prints "value: X" with
 * X = LEVEL * exp(NOISE * g), LEVEL read from a file of the checked-out tree and g a standard normal
 * drawn from (BISECT_COST_SEED, the run number), the run number kept in the file BISECT_COST_COUNTER:
 * the n-th run of either tool draws the same noise, whatever commit it measures. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
	const char *counter = getenv("BISECT_COST_COUNTER");
	unsigned long long run = 1;
	double level, noise = env_number("BISECT_COST_NOISE", 0.03), u, v;
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
	printf("value: %.6f\n", level * exp(noise * sqrt(-2 * log(u)) * cos(2 * M_PI * v)));
	return 0;
}
