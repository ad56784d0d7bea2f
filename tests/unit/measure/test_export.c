/* test_export.c: the CSV and markdown exports of measurements (export.c): exact text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "measure/export.h"
#include "measure/result.h"

/* A run with `n` counters named `names` (values 100, 200, ...), started at `us`. */
static void add(struct pb_measurement *m, double value, bool ok, int64_t us, const char *const *names,
		size_t n)
{
	struct pb_counter c[4];
	struct pb_run r = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].name = (char *)names[i];
		c[i].value = 100.0 * (double)(i + 1);
		c[i].running_ratio = 1;
	}
	r.wall_ns = (int64_t)value;
	r.user_ns = 7;
	r.sys_ns = 3;
	r.maxrss_kb = 2048;
	r.exit = ok ? 0 : 1;
	r.ok = ok;
	r.value = ok ? value : NAN;
	r.counters = c;
	r.n_counters = n;
	r.running_ratio = 1;
	r.start_real_us = us;
	pb_measurement_add_run(m, &r);
}

/* Counters as the union of every run's, failed runs without a value, a target that needs quoting. */
static void test_csv(void **state)
{
	static const char *const one[] = { "cycles" }, *const two[] = { "cycles", "instructions" };
	struct pb_measurement a, b;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_export_target t[2];

	(void)state;
	pb_measurement_init(&a);
	pb_measurement_init(&b);
	a.unit = strdup("ns");
	b.unit = strdup("ns");
	add(&a, 1500, true, 1704067200000001, one, 1);
	add(&a, 0, false, 0, NULL, 0);
	add(&b, 2500.5, true, 1704067201500000, two, 2);
	t[0] = (struct pb_export_target){ "work", &a };
	t[1] = (struct pb_export_target){ "say \"a,b\"", &b };
	pb_export_csv(t, 2, &out);
	assert_string_equal(out.data,
		"target,run,ok,value,unit,timestamp,wall_ns,user_ns,sys_ns,maxrss_kb,exit,cycles,instructions\n"
		"work,1,1,1500,ns,2024-01-01T00:00:00.000001Z,1500,7,3,2048,0,100,\n"
		"work,2,0,,ns,,0,7,3,2048,1,,\n"
		"\"say \"\"a,b\"\"\",1,1,2500.5,ns,2024-01-01T00:00:01.500000Z,2500,7,3,2048,0,100,200\n");
	pb_buf_release(&out);
	pb_measurement_release(&a);
	pb_measurement_release(&b);
}

/* One target: the summary row, numbers grouped from 1000 up; the unit in the median's header. */
static void test_markdown(void **state)
{
	struct pb_measurement m;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_export_target t;

	(void)state;
	pb_measurement_init(&m);
	m.unit = strdup("ns");
	m.metric = strdup("wall");
	add(&m, 1000000, true, 0, NULL, 0);
	add(&m, 1000000, true, 0, NULL, 0);
	add(&m, 1000000, true, 0, NULL, 0);
	pb_measurement_finish(&m);
	t = (struct pb_export_target){ "a|b", &m };
	pb_export_markdown(&t, 1, NULL, &out);
	assert_string_equal(out.data,
		"| target | runs | wall median (ns) | 95% CI | mean ± stdev | min … max |\n"
		"| --- | ---: | ---: | ---: | ---: | ---: |\n"
		"| a\\|b | 3 | 1,000,000 | 1,000,000 … 1,000,000 | 1,000,000 ± 0 | 1,000,000 … 1,000,000 |\n");
	pb_buf_release(&out);
	pb_measurement_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
