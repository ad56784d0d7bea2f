/* noise_sim.c: the simulated benchmark with process-wide noise models (see noise_sim.h). */
#include "noise_sim.h"

#include <math.h>

const char *pb_noise_model_name(enum pb_noise_model m)
{
	static const char *const names[] = { "iid", "drift", "bursts", "bimodal" };

	return m < PB_NOISE_MODELS ? names[m] : "?";
}

double pb_noise_sim_uniform(struct pb_noise_sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double gauss(struct pb_noise_sim *s)
{
	double u = pb_noise_sim_uniform(s), v = pb_noise_sim_uniform(s);

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

void pb_noise_sim_init(struct pb_noise_sim *s, enum pb_noise_model m, size_t n, size_t culprit,
		       double step, uint64_t seed)
{
	s->model = m;
	s->n = n;
	s->culprit = culprit;
	s->base = 10.0;
	s->step = step;
	s->rng = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	s->t = 0;
	s->phase = 2 * M_PI * pb_noise_sim_uniform(s);
	s->burst_left = 0;
	s->burst_factor = 1;
}

double pb_noise_sim_value(struct pb_noise_sim *s, size_t i)
{
	double level = s->base * (i >= s->culprit ? 1 + s->step : 1), f = 1;

	s->t++;
	switch (s->model) {
	case PB_NOISE_IID:
		return level * exp(0.03 * gauss(s));
	case PB_NOISE_DRIFT:
		f = exp(0.10 * sin(2 * M_PI * (double)s->t / 600 + s->phase));
		break;
	case PB_NOISE_BURSTS:
		if (s->burst_left == 0 && pb_noise_sim_uniform(s) < 1.0 / 50) {
			s->burst_left = 5 + (size_t)(pb_noise_sim_uniform(s) * 56);
			s->burst_factor = 1.2 + 0.8 * pb_noise_sim_uniform(s);
		}
		if (s->burst_left > 0) {
			s->burst_left--;
			f = s->burst_factor;
		}
		break;
	case PB_NOISE_BIMODAL:
		f = pb_noise_sim_uniform(s) < 0.3 ? 1.08 : 1;
		break;
	case PB_NOISE_MODELS:
		break;
	}
	return level * f * exp(0.01 * gauss(s));
}
