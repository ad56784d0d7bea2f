/* test_fndelta.c: per-function cost deltas: ranking, functions on one side only, the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "measure/fndelta.h"

static void with(struct pb_measurement *m, const struct pb_function_cost *f, size_t n)
{
	pb_measurement_init(m);
	m->functions = calloc(n, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		m->functions[i] = f[i];
		m->functions[i].name = strdup(f[i].name);
		m->functions[i].file = f[i].file ? strdup(f[i].file) : NULL;
	}
	m->n_functions = n;
}

static void test_rank(void **state)
{
	const struct pb_function_cost a[] = {
		{ "same", "s.c", 5000, 10 },  { "grow", "g.c", 1000, 0 },
		{ "gone", "x.c", 300, 0 },    { "miss", "m.c", 800, 1 },
	};
	const struct pb_function_cost b[] = {
		{ "grow", "g.c", 3000, 0 },   { "same", "s.c", 5000, 10 },
		{ "miss", "m.c", 800, 101 },  { "new", NULL, 200, 0 },
	};
	struct pb_measurement ma, mb;
	struct pb_fn_delta *d;
	size_t n;

	(void)state;
	with(&ma, a, 4);
	with(&mb, b, 4);
	pb_fn_deltas(&ma, &mb, 10, &d, &n);
	/* grow: 2000; miss: 10 * 100 = 1000; gone: 300; new: 200; same: unchanged, left out. */
	assert_int_equal(n, 4);
	assert_string_equal(d[0].name, "grow");
	assert_true(d[0].ir_a == 1000 && d[0].ir_b == 3000);
	assert_string_equal(d[0].file, "g.c");
	assert_string_equal(d[1].name, "miss");
	assert_true(d[1].i1_a == 1 && d[1].i1_b == 101);
	assert_string_equal(d[2].name, "gone");
	assert_true(d[2].ir_a == 300 && d[2].ir_b == 0);
	assert_string_equal(d[3].name, "new");
	assert_true(d[3].ir_a == 0 && d[3].ir_b == 200);
	assert_null(d[3].file);
	free(d);

	pb_fn_deltas(&ma, &mb, 2, &d, &n);
	assert_int_equal(n, 2);
	assert_string_equal(d[1].name, "miss");
	free(d);
	pb_measurement_release(&ma);
	pb_measurement_release(&mb);
}

static void test_none(void **state)
{
	const struct pb_function_cost a[] = { { "f", NULL, 1, 0 } };
	struct pb_measurement ma, empty;
	struct pb_fn_delta *d;
	size_t n;

	(void)state;
	with(&ma, a, 1);
	pb_measurement_init(&empty);
	pb_fn_deltas(&ma, &empty, 10, &d, &n);
	assert_int_equal(n, 0);
	assert_null(d);
	pb_measurement_release(&ma);
	pb_measurement_release(&empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
