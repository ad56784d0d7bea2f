/* format.c: the one number formatter of text tables, markdown reports and plots (SI prefixes, units). */
#include "render/format.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct step {
	double factor;
	const char *name; /* printed after a space; "" for none */
};

static const struct step time_steps[] = { { 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" } };
static const struct step count_steps[] = { { 1, "" },   { 1e3, "k" },  { 1e6, "M" },
					   { 1e9, "G" }, { 1e12, "T" }, { 1e15, "P" } };
static const struct step byte_steps[] = { { 1, "B" },
					  { 1024.0, "KiB" },
					  { 1024.0 * 1024, "MiB" },
					  { 1024.0 * 1024 * 1024, "GiB" },
					  { 1024.0 * 1024 * 1024 * 1024, "TiB" } };

#define N_STEPS(a) (sizeof(a) / sizeof((a)[0]))

/* The largest step not above |v| (the first for |v| below it). */
static size_t pick(double v, const struct step *steps, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && fabs(v) >= steps[i + 1].factor)
		i++;
	return i;
}

static int decimals(double x, int fixed)
{
	return fixed >= 0 ? fixed : fabs(x) >= 100 ? 1 : 2;
}

/*
 * v in the largest step it reaches; `fixed` decimals (-1: two below 100, one from 100). Plain
 * whole numbers in the first step print without decimals ("850 ns", "950", "512 B").
 */
static const char *scaled(char *out, size_t size, double v, const struct step *steps, size_t n,
			  int fixed)
{
	size_t i;
	double x;
	int d;
	char num[64];

	if (size == 0)
		return out;
	if (!isfinite(v)) {
		snprintf(out, size, "-");
		return out;
	}
	i = pick(v, steps, n);
	x = v / steps[i].factor;
	d = decimals(x, fixed);
	/* 999.96 ms rounds to "1000.0 ms": that is "1.00 s". */
	if (i + 1 < n && round(fabs(x) * pow(10, d)) / pow(10, d) >=
				 steps[i + 1].factor / steps[i].factor) {
		i++;
		x = v / steps[i].factor;
		d = decimals(x, fixed);
	}
	if (i == 0 && v == floor(v) && fabs(v) < 1e15)
		snprintf(num, sizeof(num), "%.0f", v == 0 ? 0.0 : v);
	else if (i == 0 && fabs(v) < 0.01 && v != 0)
		snprintf(num, sizeof(num), "%.3g", v);
	else
		snprintf(num, sizeof(num), "%.*f", d, x);
	snprintf(out, size, "%s%s%s", num, steps[i].name[0] ? " " : "", steps[i].name);
	return out;
}

const char *pb_fmt_ns(char *out, size_t size, double ns)
{
	return scaled(out, size, ns, time_steps, N_STEPS(time_steps), -1);
}

const char *pb_fmt_count(char *out, size_t size, double v)
{
	return scaled(out, size, v, count_steps, N_STEPS(count_steps), -1);
}

const char *pb_fmt_bytes(char *out, size_t size, double bytes)
{
	return scaled(out, size, bytes, byte_steps, N_STEPS(byte_steps), 1);
}

const char *pb_fmt_percent(char *out, size_t size, double fraction)
{
	if (!isfinite(fraction))
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%.1f%%", fraction * 100);
	return out;
}

const char *pb_fmt_change(char *out, size_t size, double ratio)
{
	double pct = (ratio - 1) * 100;

	if (!isfinite(ratio))
		snprintf(out, size, "-");
	else if (ratio >= 100)
		snprintf(out, size, "×%.0f", ratio);
	else if (ratio >= 2)
		snprintf(out, size, "×%.2f", ratio);
	else if (fabs(pct) < 0.0005)
		snprintf(out, size, "+0.0%%"); /* not "-0.0%" nor "-1e-05%" */
	else if (fabs(pct) < 0.05)
		snprintf(out, size, "%+.2g%%", pct);
	else
		snprintf(out, size, "%+.1f%%", pct);
	return out;
}

const char *pb_fmt_exact(char *out, size_t size, double v)
{
	char digits[40];

	if (!isfinite(v)) {
		snprintf(out, size, "-");
		return out;
	}
	if (fabs(v) >= 1e18 || v != floor(v))
		snprintf(digits, sizeof(digits), "%.10g", v); /* grouped below unless in exponent form */
	else
		snprintf(digits, sizeof(digits), "%.0f", v == 0 ? 0.0 : v); /* -0 as "0" */
	pb_fmt_group_digits(out, size, digits);
	return out;
}

/* The factor that brings a value in `unit` to ns (times) or bytes; 0 for a count. */
static double base_factor(const char *unit, bool *bytes)
{
	*bytes = false;
	if (!unit)
		return 0;
	if (strcmp(unit, "ns") == 0)
		return 1;
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0 || strcmp(unit, "second") == 0 || strcmp(unit, "seconds") == 0)
		return 1e9;
	*bytes = true;
	if (strcmp(unit, "bytes") == 0 || strcmp(unit, "B") == 0)
		return 1;
	if (strcmp(unit, "kb") == 0 || strcmp(unit, "KiB") == 0)
		return 1024;
	*bytes = false;
	return 0;
}

const char *pb_fmt_value(char *out, size_t size, double v, const char *unit)
{
	bool bytes;
	double f = base_factor(unit, &bytes);

	if (f == 0)
		return pb_fmt_count(out, size, v);
	return bytes ? pb_fmt_bytes(out, size, v * f) : pb_fmt_ns(out, size, v * f);
}

const char *pb_fmt_metric_unit(const char *metric)
{
	static const char *const times[] = { "wall", "cpu", "user", "sys", "wall_ns", "user_ns",
					     "sys_ns", "task-clock", "cpu-clock", "duration_time" };
	size_t i;

	for (i = 0; metric && i < N_STEPS(times); i++)
		if (strcmp(metric, times[i]) == 0)
			return "ns";
	return NULL;
}

const char *pb_fmt_metric(char *out, size_t size, double v, const char *metric)
{
	return pb_fmt_value(out, size, v, pb_fmt_metric_unit(metric));
}

double pb_fmt_scale(double max_abs, const char *unit, const char **label)
{
	bool bytes;
	double f = base_factor(unit, &bytes);
	const struct step *steps = f == 0 ? count_steps : bytes ? byte_steps : time_steps;
	size_t n = f == 0 ? N_STEPS(count_steps) : bytes ? N_STEPS(byte_steps) : N_STEPS(time_steps);
	size_t i;

	if (f == 0)
		f = 1;
	i = isfinite(max_abs) ? pick(max_abs * f, steps, n) : 0;
	*label = steps[i].name;
	return steps[i].factor / f;
}

void pb_fmt_group_digits(char *out, size_t size, const char *number)
{
	const char *dot = strchr(number, '.');
	size_t len = dot ? (size_t)(dot - number) : strlen(number), i, o = 0;
	size_t lead = number[0] == '-' ? 1 : 0;

	if (size == 0)
		return;
	if (strpbrk(number, "eE") || len <= 3) {
		snprintf(out, size, "%s", number);
		return;
	}
	for (i = 0; number[i] && o + 2 < size; i++) {
		if (i > lead && i < len && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = number[i];
	}
	out[o] = '\0';
}

const char *pb_fmt_grouped(char *out, size_t size, double v)
{
	char raw[64];

	if (!isfinite(v)) {
		snprintf(out, size, "-");
		return out;
	}
	snprintf(raw, sizeof(raw), fabs(v) >= 1000 || v == floor(v) ? "%.0f" : "%.4g", v);
	pb_fmt_group_digits(out, size, raw);
	return out;
}
