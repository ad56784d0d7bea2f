/* test_repeat.c: two runs of one revision under an exact backend: same or not, the spread, the messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "measure/repeat.h"

static void test_check(void **state)
{
	struct pb_repeat r[2];

	(void)state;
	assert_true(pb_repeat_check(&r[0], "good commit 1111111", 431364945, 431364945));
	assert_true(r[0].spread == 0);
	assert_null(pb_repeat_message("cachegrind", r, 1, PB_REPEAT_STATISTICS, "bisect"));
	assert_false(pb_repeat_check(&r[1], "bad commit 2222222", 400, 410));
	assert_true(fabs(r[1].spread - 0.025) < 1e-12);
	assert_true(fabs(pb_repeat_spread(r, 2) - 0.025) < 1e-12);
	/* a zero and a non-zero value: not comparable, infinitely apart */
	assert_false(pb_repeat_check(&r[0], "x", 0, 3));
	assert_true(isinf(r[0].spread));
}

static void test_messages(void **state)
{
	struct pb_repeat r[2];
	char *m;

	(void)state;
	pb_repeat_check(&r[0], "good commit 1a2b3c4", 409812345, 420634001);
	pb_repeat_check(&r[1], "bad commit 5d6e7f8", 500, 500);
	m = pb_repeat_message("cachegrind", r, 2, PB_REPEAT_STATISTICS, "bisect");
	assert_string_equal(m, "cachegrind gave two different counts for good commit 1a2b3c4 "
			       "(409,812,345 vs 420,634,001, 2.6%): the benchmark is not deterministic "
			       "(a time-seeded hash, addresses, threads?), so it is judged with "
			       "statistics over repeated runs, not exactly. To make it exact, remove the "
			       "source of variation (for Lua: -Dluai_makeseed(L)=0u)");
	free(m);
	assert_int_equal(pb_repeat_require("cachegrind", "commit 1a2b3c4", 7, 7, "fix"), 0);
	assert_int_equal(pb_repeat_require("cachegrind", "commit 1a2b3c4", 100, 101, "fix"), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_INCONCLUSIVE);
	assert_non_null(strstr(pb_error_message(), "unstable: cachegrind counts of commit 1a2b3c4 "
						   "(100 vs 101, 1.0%) are not repeatable"));
	assert_non_null(strstr(pb_error_message(), "fix would decide on one value per build"));
	pb_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
