/* test_loops.c: natural loops from hand-made listings: nesting, a rotated loop entered at its test, a self-loop, none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "layout/annotate.h"

/* A listing of 4-byte instructions at 0, 4, 8, ...: kinds and targets as given. */
static struct pb_insn *listing(size_t n, const enum pb_insn_kind *kind, const int64_t *target)
{
	struct pb_insn *in = calloc(n, sizeof(*in));
	size_t i;

	for (i = 0; i < n; i++) {
		in[i].addr = 4 * i;
		in[i].size = 4;
		in[i].kind = kind[i];
		in[i].has_target = target[i] >= 0;
		in[i].target = target[i] >= 0 ? (uint64_t)target[i] : 0;
	}
	return in;
}

static void test_nested(void **state)
{
	const enum pb_insn_kind k[] = { PB_INSN_OTHER, PB_INSN_OTHER, PB_INSN_OTHER, PB_INSN_CJUMP,
					PB_INSN_CJUMP, PB_INSN_RET };
	const int64_t t[] = { -1, -1, -1, 0x08, 0x04, -1 };
	struct pb_insn *in = listing(6, k, t);
	struct pb_ann_loop *L;
	int of[6];
	size_t n;

	(void)state;
	n = pb_loops_find(in, 6, 0, 24, &L, of);
	assert_int_equal(n, 2);
	assert_int_equal(L[0].head, 0x04);
	assert_int_equal(L[0].lo, 0x04);
	assert_int_equal(L[0].hi, 0x14);
	assert_int_equal(L[0].n_insns, 4);
	assert_int_equal(L[0].depth, 1);
	assert_int_equal(L[0].parent, -1);
	assert_int_equal(L[1].head, 0x08);
	assert_int_equal(L[1].hi, 0x10);
	assert_int_equal(L[1].n_insns, 2);
	assert_int_equal(L[1].depth, 2);
	assert_int_equal(L[1].parent, 0);
	assert_int_equal(L[1].back_edges, 1);
	assert_int_equal(of[0], -1);
	assert_int_equal(of[1], 0);
	assert_int_equal(of[2], 1);
	assert_int_equal(of[3], 1);
	assert_int_equal(of[4], 0);
	assert_int_equal(of[5], -1);
	free(L);
	free(in);
}

/* jmp test; body: ...; test: jcc body; ret. The header is the test (it dominates the body). */
static void test_rotated(void **state)
{
	const enum pb_insn_kind k[] = { PB_INSN_JUMP, PB_INSN_OTHER, PB_INSN_CJUMP, PB_INSN_RET };
	const int64_t t[] = { 0x08, -1, 0x04, -1 };
	struct pb_insn *in = listing(4, k, t);
	struct pb_ann_loop *L;
	int of[4];

	(void)state;
	assert_int_equal(pb_loops_find(in, 4, 0, 16, &L, of), 1);
	assert_int_equal(L[0].head, 0x08);
	assert_int_equal(L[0].lo, 0x04);
	assert_int_equal(L[0].hi, 0x0c);
	assert_int_equal(of[0], -1);
	assert_int_equal(of[1], 0);
	assert_int_equal(of[2], 0);
	assert_int_equal(of[3], -1);
	free(L);
	free(in);
}

static void test_self_and_none(void **state)
{
	const enum pb_insn_kind k[] = { PB_INSN_OTHER, PB_INSN_CJUMP, PB_INSN_CALL, PB_INSN_RET };
	const int64_t t[] = { -1, 0x04, 0x400, -1 };
	const int64_t fwd[] = { -1, 0x0c, 0x400, -1 };
	struct pb_insn *in = listing(4, k, t);
	struct pb_ann_loop *L;
	int of[4];

	(void)state;
	assert_int_equal(pb_loops_find(in, 4, 0, 16, &L, of), 1);
	assert_int_equal(L[0].head, 0x04);
	assert_int_equal(L[0].n_insns, 1);
	free(L);
	free(in);
	/* A forward branch and a call out of the function make no loop. */
	in = listing(4, k, fwd);
	assert_int_equal(pb_loops_find(in, 4, 0, 16, &L, of), 0);
	assert_int_equal(of[1], -1);
	free(L);
	free(in);
}

/* A loop no path from the entry reaches (after a return: a region of a stripped binary, a
   jump-table target) is found from a root of its own. */
static void test_unreached(void **state)
{
	const enum pb_insn_kind k[] = { PB_INSN_RET, PB_INSN_OTHER, PB_INSN_CJUMP, PB_INSN_RET };
	const int64_t t[] = { -1, -1, 0x04, -1 };
	struct pb_insn *in = listing(4, k, t);
	struct pb_ann_loop *L;
	int of[4];

	(void)state;
	assert_int_equal(pb_loops_find(in, 4, 0, 16, &L, of), 1);
	assert_int_equal(L[0].head, 0x04);
	assert_int_equal(L[0].n_insns, 2);
	assert_int_equal(of[0], -1);
	assert_int_equal(of[1], 0);
	assert_int_equal(of[3], -1);
	free(L);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_rotated),
		cmocka_unit_test(test_self_and_none),
		cmocka_unit_test(test_unreached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
