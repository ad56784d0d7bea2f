/* test_perfrec.c: the sample record parser on hand-built records: fields, DWARF register order, and every truncation or lie rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>

#include "measure/perfrec.h"

#define TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN | \
	      PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)

struct rec {
	unsigned char b[1024];
	size_t len;
};

static void put(struct rec *r, uint64_t v)
{
	memcpy(r->b + r->len, &v, 8);
	r->len += 8;
}

static void header(struct rec *r)
{
	struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, (uint16_t)r->len };

	memcpy(r->b, &h, sizeof(h));
}

/*
 * ip 0x401000, pid 7 tid 8, time 99, a chain of 2 (a context mark and one kernel address), abi
 * 64-bit with the 17 registers of PB_PERFREC_REGS_MASK (perf register k holds 100 + k), 32 bytes
 * of stack reserved of which `dyn` are valid.
 */
static void build(struct rec *r, uint64_t stack_reserved, uint64_t dyn)
{
	uint64_t k;

	memset(r, 0, sizeof(*r));
	r->len = sizeof(struct perf_event_header);
	put(r, 0x401000);
	put(r, 7 | (uint64_t)8 << 32);
	put(r, 99);
	put(r, 2);
	put(r, (uint64_t)PERF_CONTEXT_KERNEL);
	put(r, 0xffffffff81000000ull);
	put(r, PERF_SAMPLE_REGS_ABI_64);
	for (k = 0; k < PB_PERFREC_MAX_REGS; k++)
		if (PB_PERFREC_REGS_MASK & ((uint64_t)1 << k))
			put(r, 100 + k);
	put(r, stack_reserved);
	for (k = 0; k < stack_reserved / 8; k++)
		put(r, 0x1111111111111111ull * (k + 1));
	if (stack_reserved)
		put(r, dyn);
	header(r);
}

static void test_fields(void **state)
{
	struct pb_perfrec_sample s;
	uint64_t dw[PB_PERFREC_DWARF_REGS];
	struct rec r;
	uint64_t v;

	(void)state;
	build(&r, 32, 24);
	assert_int_equal(r.len, 8 + 8 * 3 + 8 * 3 + 8 + 17 * 8 + 8 + 32 + 8);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), 0);
	assert_int_equal(s.ip, 0x401000);
	assert_int_equal(s.pid, 7);
	assert_int_equal(s.tid, 8);
	assert_int_equal(s.time, 99);
	assert_int_equal(s.nr, 2);
	memcpy(&v, s.chain + 8, 8);
	assert_int_equal(v, 0xffffffff81000000ull);
	assert_int_equal(s.abi, PERF_SAMPLE_REGS_ABI_64);
	assert_int_equal(s.regs[8], 108);  /* IP */
	assert_int_equal(s.regs[7], 107);  /* SP */
	assert_int_equal(s.regs[16], 116); /* R8 */
	assert_int_equal(s.regs[9], 0);    /* FLAGS: not asked for */
	assert_int_equal(s.stack_size, 24);
	memcpy(&v, s.stack + 16, 8);
	assert_int_equal(v, 0x3333333333333333ull);
	/* DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
	pb_perfrec_dwarf_regs(&s, dw);
	assert_int_equal(dw[0], 100);
	assert_int_equal(dw[1], 103);
	assert_int_equal(dw[2], 102);
	assert_int_equal(dw[3], 101);
	assert_int_equal(dw[6], 106);
	assert_int_equal(dw[7], 107);
	assert_int_equal(dw[8], 116);
	assert_int_equal(dw[15], 123);
	assert_int_equal(dw[16], 108);
}

/* Every shorter record is rejected; nothing past the given size is read (ASan sees the exact copy). */
static void test_every_truncation(void **state)
{
	struct pb_perfrec_sample s;
	struct rec r;
	unsigned char *copy;
	size_t n;

	(void)state;
	build(&r, 32, 32);
	for (n = 0; n < r.len; n++) {
		copy = malloc(n ? n : 1);
		memcpy(copy, r.b, n);
		assert_int_equal(pb_perfrec_parse_sample(&s, copy, n, TYPE, PB_PERFREC_REGS_MASK), -1);
		free(copy);
	}
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), 0);
}

static void test_lies(void **state)
{
	struct pb_perfrec_sample s;
	struct rec r;
	uint64_t big = (uint64_t)1 << 61;

	(void)state;
	/* dyn_size larger than the stack reserved */
	build(&r, 32, 40);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), -1);
	/* a chain length that would overflow nr * 8 */
	build(&r, 32, 8);
	memcpy(r.b + 8 + 24, &big, 8);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), -1);
	/* a stack size past the record's end */
	build(&r, 32, 8);
	memcpy(r.b + 8 + 48 + 8 + 17 * 8, &big, 8);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), -1);
	/* a layout it does not know (PERF_SAMPLE_ADDR), registers beyond R15 */
	build(&r, 32, 8);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE | PERF_SAMPLE_ADDR,
						 PB_PERFREC_REGS_MASK), -1);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, (uint64_t)1 << 30), -1);
}

/* A kernel thread: abi NONE carries no registers, stack size 0 carries no dyn_size. */
static void test_no_user_state(void **state)
{
	struct pb_perfrec_sample s;
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.len = sizeof(struct perf_event_header);
	put(&r, 0xffffffff81000010ull);
	put(&r, 0);
	put(&r, 5);
	put(&r, 0);
	put(&r, PERF_SAMPLE_REGS_ABI_NONE);
	put(&r, 0);
	header(&r);
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, r.len, TYPE, PB_PERFREC_REGS_MASK), 0);
	assert_int_equal(s.abi, 0);
	assert_int_equal(s.nr, 0);
	assert_null(s.stack);
	assert_int_equal(s.stack_size, 0);
	/* The frame-pointer layout: no registers or stack at all. */
	assert_int_equal(pb_perfrec_parse_sample(&s, r.b, 8 + 32, TYPE & ~(uint64_t)(PERF_SAMPLE_REGS_USER |
						 PERF_SAMPLE_STACK_USER), 0), 0);
	assert_int_equal(s.time, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_no_user_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
