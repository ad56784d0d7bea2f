/* noise_sim.h: a simulated benchmark over a commit range with process-wide noise models (iid, drift,
 * load bursts, bimodal runs), for bench/bisect_sim and the search's unit tests. */
#ifndef PB_BENCH_NOISE_SIM_H
#define PB_BENCH_NOISE_SIM_H

#include <stddef.h>
#include <stdint.h>

enum pb_noise_model {
	PB_NOISE_IID,     /* lognormal, sigma 3% */
	PB_NOISE_DRIFT,   /* 1% iid on a slow wave of +-10% over 600 runs (thermal, frequency) */
	PB_NOISE_BURSTS,  /* 1% iid; load bursts of 5-60 runs, x1.2-2.0, starting 1 run in 50 */
	PB_NOISE_BIMODAL, /* 1% iid; 30% of runs land in a mode 8% slower */
	PB_NOISE_MODELS
};

const char *pb_noise_model_name(enum pb_noise_model m); /* "iid" "drift" "bursts" "bimodal" */

/*
 * Commits 0..n; commits >= culprit are `step` slower (relative). The noise is a function of the
 * run's position in time (every value drawn counts, whichever commit it is for): a burst or drift
 * hits whatever is measured at that moment, as on a shared machine.
 */
struct pb_noise_sim {
	enum pb_noise_model model;
	size_t n, culprit;
	double base, step;
	uint64_t rng;
	size_t t;            /* values drawn so far (the clock) */
	double phase;        /* drift */
	size_t burst_left;   /* bursts */
	double burst_factor;
};

void pb_noise_sim_init(struct pb_noise_sim *s, enum pb_noise_model m, size_t n, size_t culprit,
		       double step, uint64_t seed);
/* The next value of commit i's metric (advances the clock). */
double pb_noise_sim_value(struct pb_noise_sim *s, size_t i);
/* A uniform number in [0, 1) from the simulation's generator. */
double pb_noise_sim_uniform(struct pb_noise_sim *s);

#endif
