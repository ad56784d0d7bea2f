/* test_verdict.c: the attribution decisions that do not need binaries (placement: tests/cli/t0902). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "layout/verdict.h"

static const char *const files[] = { "src/errors.c" };

static struct pb_attr_in base(void)
{
	struct pb_attr_in in = {
		.metric = "wall",
		.effect_ratio = 1.137,
		.instructions = { 1000000, 1000000 },
		.instr_tolerance = 0.001,
		.i1_misses = { 100, 50000 },
		.icache_mpki = { 0.1, 50 },
		.itlb_mpki = { NAN, NAN },
		.frontend_pct = { NAN, NAN },
		.no_diff_reason = "build.binary is not configured",
		.files = 1,
		.insertions = 75,
		.deletions = 3,
		.file_names = files,
	};
	return in;
}

static bool has_reason(const struct pb_attr_verdict *v, const char *needle)
{
	size_t i;

	for (i = 0; i < v->n_reasons; i++)
		if (strstr(v->reasons[i], needle))
			return true;
	return false;
}

static void test_instructions_changed(void **state)
{
	struct pb_attr_in in = base();
	struct pb_attr_verdict v;

	(void)state;
	in.instructions.culprit = 1012000; /* +1.2% */
	pb_attr_decide(&in, &v);
	assert_int_equal(v.verdict, PB_ATTR_CODE_CHANGE);
	assert_string_equal(pb_attr_name(v.verdict), "code-change");
	assert_true(has_reason(&v, "instructions +1.2% (1,000,000 → 1,012,000), beyond the 0.1%"));
	assert_true(has_reason(&v, "the commit touched 1 file (src/errors.c; +75 −3 lines)"));
	pb_attr_release(&v);
}

static void test_no_binaries(void **state)
{
	struct pb_attr_in in = base();
	struct pb_attr_verdict v;

	(void)state;
	pb_attr_decide(&in, &v);
	/* Same instructions and more I1 misses, but no layout to show the hot code only moved. */
	assert_int_equal(v.verdict, PB_ATTR_INCONCLUSIVE);
	assert_true(has_reason(&v, "no layout evidence: build.binary is not configured"));
	assert_true(has_reason(&v, "I1 misses ×500 (100 → 50,000)"));
	assert_true(has_reason(&v, "wall +13.7% against the parent"));
	pb_attr_release(&v);
}

static void test_no_counters(void **state)
{
	struct pb_attr_in in = base();
	struct pb_attr_verdict v;

	(void)state;
	in.instructions = (struct pb_pair){ NAN, NAN };
	in.i1_misses = in.icache_mpki = (struct pb_pair){ NAN, NAN };
	pb_attr_decide(&in, &v);
	assert_int_equal(v.verdict, PB_ATTR_INCONCLUSIVE);
	assert_string_equal(pb_attr_name(v.verdict), "inconclusive");
	assert_true(has_reason(&v, "no instruction count"));
	pb_attr_release(&v);
}

/* The random layouts decide, whatever the evidence before; their sentence comes first. */
static void test_layouts_decide(void **state)
{
	struct pb_attr_in in = base();
	struct pb_attr_verdict v;
	size_t n;

	(void)state;
	pb_attr_decide(&in, &v);
	assert_int_equal(v.verdict, PB_ATTR_INCONCLUSIVE);
	n = v.n_reasons;
	pb_attr_set_layouts(&v, true, "across 4 random layouts: slower in 1 of 4");
	assert_int_equal(v.verdict, PB_ATTR_PLACEMENT);
	assert_int_equal(v.n_reasons, n + 2);
	assert_string_equal(v.reasons[0], "across 4 random layouts: slower in 1 of 4");
	assert_true(has_reason(&v, "code-placement, not inconclusive: the random layouts decide"));
	pb_attr_set_layouts(&v, false, "across 4 random layouts: slower in 4 of 4");
	assert_int_equal(v.verdict, PB_ATTR_CODE_CHANGE);
	assert_string_equal(v.reasons[0], "across 4 random layouts: slower in 4 of 4");
	/* the same verdict again: only the sentence is added */
	n = v.n_reasons;
	pb_attr_set_layouts(&v, false, "again");
	assert_int_equal(v.n_reasons, n + 1);
	pb_attr_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instructions_changed),
		cmocka_unit_test(test_no_binaries),
		cmocka_unit_test(test_no_counters),
		cmocka_unit_test(test_layouts_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
