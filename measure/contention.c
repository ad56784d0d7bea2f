/* contention.c: per-run clocks, other work and steal time (/proc/stat), load average; their summary. */
#include "measure/contention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "measure/harness.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pb_contention_snapshot(struct pb_cpu_snapshot *s)
{
	unsigned long long v[10] = { 0 };
	char line[512];
	FILE *f;
	int n;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/stat", "re");
	if (f) {
		/* cpu  user nice system idle iowait irq softirq steal guest guest_nice */
		if (fgets(line, sizeof(line), f) && strncmp(line, "cpu ", 4) == 0) {
			n = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
				   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
			if (n >= 4) {
				s->have_stat = true;
				/* guest time is already counted in user and nice */
				s->busy = v[0] + v[1] + v[2] + v[5] + v[6];
				s->steal = v[7];
				s->total = s->busy + v[3] + v[4] + v[7];
			}
		}
		fclose(f);
	}
	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	s->real_us = clock_ns(CLOCK_REALTIME) / 1000;
}

static double load1(void)
{
	double l = NAN;
	FILE *f = fopen("/proc/loadavg", "re");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = NAN;
		fclose(f);
	}
	return l;
}

void pb_contention_fill(struct pb_run *run, const struct pb_cpu_snapshot *before,
			const struct pb_cpu_snapshot *after)
{
	long hz = sysconf(_SC_CLK_TCK);
	double ns_per_tick = hz > 0 ? 1e9 / (double)hz : 1e7;

	run->start_mono_ns = before->mono_ns;
	run->start_real_us = before->real_us;
	run->other_busy_ns = run->steal_ns = -1;
	if (before->have_stat && after->have_stat && after->busy >= before->busy &&
	    after->steal >= before->steal) {
		double busy = (double)(after->busy - before->busy) * ns_per_tick;
		double other = busy - (double)(run->user_ns + run->sys_ns);

		/* Ticks are coarse (10 ms): a short run's own time may exceed the busy ticks seen. */
		run->other_busy_ns = other > 0 ? (int64_t)other : 0;
		run->steal_ns = (int64_t)((double)(after->steal - before->steal) * ns_per_tick);
	}
	run->load1 = load1();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool pb_metric_load_sensitive(const char *metric)
{
	static const char *const m[] = { "wall", "cpu", "pyperf", "cycles", "task-clock", "cpu-clock" };
	size_t i;

	for (i = 0; metric && i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(metric, m[i]) == 0)
			return true;
	return false;
}

void pb_contention_of(const struct pb_measurement *m, struct pb_contention *out)
{
	double *ratio = pb_xmalloc((m->n_runs + 1) * sizeof(double));
	double other = 0, steal = 0, wall = 0;
	size_t i, nr = 0;

	memset(out, 0, sizeof(*out));
	out->load1_max = NAN;
	for (i = 0; i < m->n_runs; i++) {
		const struct pb_run *r = &m->runs[i];

		if (r->start_mono_ns) {
			if (!out->first_mono_ns || r->start_mono_ns < out->first_mono_ns) {
				out->first_mono_ns = r->start_mono_ns;
				out->first_real_us = r->start_real_us;
			}
			if (r->start_mono_ns + r->wall_ns > out->last_mono_ns) {
				out->last_mono_ns = r->start_mono_ns + r->wall_ns;
				out->last_real_us = r->start_real_us + r->wall_ns / 1000;
			}
		}
		if (!r->ok || !r->start_mono_ns || r->other_busy_ns < 0 || r->wall_ns <= 0)
			continue;
		other += (double)r->other_busy_ns;
		steal += (double)r->steal_ns;
		wall += (double)r->wall_ns;
		/* /proc/stat counts in ticks (10 ms): one run's share means something from 100 ms on. */
		if (r->wall_ns >= 100000000 &&
		    (double)r->other_busy_ns / (double)r->wall_ns > out->max_other_cpus)
			out->max_other_cpus = (double)r->other_busy_ns / (double)r->wall_ns;
		if (r->user_ns + r->sys_ns > 0)
			ratio[nr++] = (double)r->wall_ns / (double)(r->user_ns + r->sys_ns);
		if (isfinite(r->load1) && !(r->load1 <= out->load1_max))
			out->load1_max = r->load1;
		out->n++;
	}
	/* Summed over the runs, so that short runs' coarse ticks average out. */
	out->other_cpus = wall > 0 ? other / wall : NAN;
	out->steal_pct = wall > 0 ? 100 * steal / wall : NAN;
	if (out->max_other_cpus < out->other_cpus)
		out->max_other_cpus = out->other_cpus;
	out->wall_over_cpu = median(ratio, nr);
	out->contended = out->n > 0 &&
			 (out->other_cpus >= PB_CONTENTION_OTHER_CPUS || out->steal_pct >= 2);
	free(ratio);
}

const char *pb_contention_remedies(const char *metric)
{
	if (metric && strcmp(metric, "cpu") == 0)
		return "--backend cachegrind, a quiet machine, or `placebisect system tune`";
	/* pyperf, hyperfine and Google Benchmark run their loops for a set time: the CPU time of a
	 * run is that time, whatever the speed, and under cachegrind it is the loop count. */
	if (metric && pb_harness_from_name(metric) != PB_HARNESS_NONE)
		return "a benchmark of fixed work (not time-calibrated) with an exact metric and "
		       "--backend cachegrind, a quiet machine, or `placebisect system tune` (--metric "
		       "cpu would count the harness's time budget, not the speed)";
	return "--metric cpu, --backend cachegrind, a quiet machine, or `placebisect system tune`";
}
