/* unwind_bench.c: record a command with placebisect's sampler, then time turning the recording into a profile (unwinding, naming, folding). */
/*
 * Usage: unwind_bench CALL_GRAPH FREQ REPEAT FOLDED -- CMD [ARG...]
 *   CALL_GRAPH: fp, dwarf or dwarf,SIZE; FREQ: samples per second; REPEAT: times the recording is
 *   processed (each from scratch: a new unwinder and symbolizer, as a new `perf report` would);
 *   FOLDED: where the folded stacks of the last pass go ("-": nowhere).
 * Prints one line of key=value figures: samples, the recording's size, and the CPU time of the
 * fastest pass with samples per CPU second. bench/unwind.sh runs it beside perf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/atomic.h"
#include "core/error.h"
#include "core/proc.h"
#include "measure/sampler.h"
#include "profile/profile.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	const struct pb_samples *s;
	struct pb_sampler *sampler = NULL;
	struct pb_profile p;
	struct pb_buf folded = PB_BUF_INIT;
	double best = -1, t0, t;
	long freq, repeat, i;
	size_t bytes;

	if (argc < 7 || strcmp(argv[5], "--") != 0) {
		fprintf(stderr, "usage: unwind_bench CALL_GRAPH FREQ REPEAT FOLDED -- CMD [ARG...]\n");
		return 2;
	}
	freq = strtol(argv[2], NULL, 10);
	repeat = strtol(argv[3], NULL, 10);
	if (freq < 1 || repeat < 1 || pb_sampler_new(&sampler, (unsigned)freq) ||
	    pb_sampler_call_graph(sampler, argv[1], NULL, PB_SAMPLER_DEPTH_DEFAULT)) {
		fprintf(stderr, "unwind_bench: %s\n", pb_error_message() ? pb_error_message() : "bad FREQ or REPEAT");
		return 2;
	}
	po.argv = (const char *const *)argv + 6;
	po.stdout_fd = po.stderr_fd = 2;
	po.before_exec = pb_sampler_attach;
	po.hook_arg = sampler;
	if (pb_proc_run(&po, &res) || pb_sampler_finish(sampler)) {
		fprintf(stderr, "unwind_bench: %s\n", pb_error_message());
		return 3;
	}
	s = pb_sampler_samples(sampler);
	/* What the recording holds: per sample its header fields, frames and copied stack. */
	bytes = s->stacks_len + s->n_samples * (8 + 8 + 8 + 8) + s->n_frames * 8 +
		s->n_users * (8 + 8 * PB_SAMPLE_NREGS + 8 + 8);
	for (i = 0; i < repeat; i++) {
		pb_profile_init(&p);
		t0 = cpu_now();
		if (pb_profile_from_samples(&p, s)) {
			fprintf(stderr, "unwind_bench: %s\n", pb_error_message());
			return 3;
		}
		pb_buf_reset(&folded);
		pb_profile_write_folded(&p, &folded);
		t = cpu_now() - t0;
		if (best < 0 || t < best)
			best = t;
		pb_profile_release(&p);
	}
	if (strcmp(argv[4], "-") != 0 && pb_atomic_write(argv[4], folded.data, folded.len)) {
		fprintf(stderr, "unwind_bench: %s\n", pb_error_message());
		return 3;
	}
	printf("samples=%zu lost=%llu bytes=%zu stack_bytes=%zu cpu_s=%.4f samples_per_s=%.0f\n",
	       s->n_samples, (unsigned long long)(s->lost + s->dropped), bytes, s->stacks_len, best,
	       best > 0 ? (double)s->n_samples / best : 0.0);
	pb_buf_release(&folded);
	pb_proc_result_release(&res);
	pb_sampler_free(sampler);
	return 0;
}
