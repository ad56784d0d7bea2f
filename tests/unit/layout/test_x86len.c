/* test_x86len.c: the table decoder's lengths, branch fields, RIP-relative and NOP detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "layout/x86len.h"

struct known {
	const char *what;
	uint8_t bytes[15];
	size_t n;
	uint8_t len;
	bool nop;
	uint8_t branch, cond, rel_off, rel_size, disp_off;
	bool rip;
	uint8_t imm_off, imm_size;
};

static const struct known cases[] = {
	{ "nop", { 0x90 }, 1, 1, true, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "pause is not padding", { 0xf3, 0x90 }, 2, 2, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "xchg r8, rax is not padding", { 0x49, 0x90 }, 2, 2, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "xchg ax, ax", { 0x66, 0x90 }, 2, 2, true, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "nopl 0(rax,rax)", { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5, 5, true, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "nopw cs:0(rax,rax)", { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 }, 10, 10,
	  true, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "endbr64 is not padding", { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 4, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "call rel32", { 0xe8, 1, 2, 3, 4 }, 5, 5, false, PB_X86_CALL, 0, 1, 4, 0, false, 0, 0 },
	{ "jmp rel8", { 0xeb, 0x10 }, 2, 2, false, PB_X86_JMP, 0, 1, 1, 0, false, 0, 0 },
	{ "jmp rel32", { 0xe9, 0, 0, 0, 0 }, 5, 5, false, PB_X86_JMP, 0, 1, 4, 0, false, 0, 0 },
	{ "je rel8", { 0x74, 0xfe }, 2, 2, false, PB_X86_JCC, 4, 1, 1, 0, false, 0, 0 },
	{ "je rel32", { 0x0f, 0x84, 0, 0, 0, 0 }, 6, 6, false, PB_X86_JCC, 4, 2, 4, 0, false, 0, 0 },
	{ "loop", { 0xe2, 0xfe }, 2, 2, false, PB_X86_LOOP, 2, 1, 1, 0, false, 0, 0 },
	{ "data16 data16 rex.W call (TLS)", { 0x66, 0x66, 0x48, 0xe8, 0, 0, 0, 0 }, 8, 8, false,
	  PB_X86_CALL, 0, 4, 4, 0, false, 0, 0 },
	{ "mov rax, [rip+d]", { 0x48, 0x8b, 0x05, 1, 2, 3, 4 }, 7, 7, false, 0, 0, 0, 0, 3, true, 0, 0 },
	{ "lea rdi, [rip+d]", { 0x48, 0x8d, 0x3d, 1, 2, 3, 4 }, 7, 7, false, 0, 0, 0, 0, 3, true, 0, 0 },
	{ "cmp dword [rip+d], 5", { 0x83, 0x3d, 1, 2, 3, 4, 5 }, 7, 7, false, 0, 0, 0, 0, 2, true, 6, 1 },
	{ "mov eax, [eip+d] (67)", { 0x67, 0x8b, 0x05, 1, 2, 3, 4 }, 7, 7, false, 0, 0, 0, 0, 3, false, 0, 0 },
	{ "mov eax, [rbx+disp32]", { 0x8b, 0x83, 1, 2, 3, 4 }, 6, 6, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "mov eax, [rsp+8]", { 0x8b, 0x44, 0x24, 0x08 }, 4, 4, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "jmp [table+rax*8]", { 0xff, 0x24, 0xc5, 1, 2, 3, 4 }, 7, 7, false, 0, 0, 0, 0, 3, false, 0, 0 },
	{ "movabs rax, imm64", { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 10, false, 0, 0, 0, 0, 0,
	  false, 2, 8 },
	{ "mov ax, imm16", { 0x66, 0xb8, 1, 2 }, 4, 4, false, 0, 0, 0, 0, 0, false, 2, 2 },
	{ "mov eax, imm32", { 0xb8, 1, 2, 3, 4 }, 5, 5, false, 0, 0, 0, 0, 0, false, 1, 4 },
	{ "test cl, 1", { 0xf6, 0xc1, 0x01 }, 3, 3, false, 0, 0, 0, 0, 0, false, 2, 1 },
	{ "not cl", { 0xf6, 0xd1 }, 2, 2, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "test eax, imm32 (F7 /0)", { 0xf7, 0xc0, 1, 2, 3, 4 }, 6, 6, false, 0, 0, 0, 0, 0, false, 2, 4 },
	{ "enter 16, 0", { 0xc8, 0x10, 0x00, 0x00 }, 4, 4, false, 0, 0, 0, 0, 0, false, 1, 3 },
	{ "ret", { 0xc3 }, 1, 1, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "pshufd xmm0, xmm1, 0x1b", { 0x66, 0x0f, 0x70, 0xc1, 0x1b }, 5, 5, false, 0, 0, 0, 0, 0, false,
	  4, 1 },
	{ "pshufb xmm0, [rip+d] (0F 38)", { 0x66, 0x0f, 0x38, 0x00, 0x05, 1, 2, 3, 4 }, 9, 9, false, 0,
	  0, 0, 0, 5, true, 0, 0 },
	{ "palignr (0F 3A)", { 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08 }, 6, 6, false, 0, 0, 0, 0, 0, false,
	  5, 1 },
	{ "vbroadcastss xmm0, [rip+d] (VEX3)", { 0xc4, 0xe2, 0x79, 0x18, 0x05, 1, 2, 3, 4 }, 9, 9, false,
	  0, 0, 0, 0, 5, true, 0, 0 },
	{ "vzeroupper (VEX2, no ModRM)", { 0xc5, 0xf8, 0x77 }, 3, 3, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "vpshufd (VEX2 + imm8)", { 0xc5, 0xf9, 0x70, 0xc1, 0x1b }, 5, 5, false, 0, 0, 0, 0, 0, false,
	  4, 1 },
	{ "vmovups zmm0, [rip+d] (EVEX)", { 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x05, 1, 2, 3, 4 }, 10, 10,
	  false, 0, 0, 0, 0, 6, true, 0, 0 },
	{ "mov dr0, rdi", { 0x0f, 0x23, 0x87 }, 3, 3, false, 0, 0, 0, 0, 0, false, 0, 0 },
	{ "mov eax, moffs64", { 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 }, 9, 9, false, 0, 0, 0, 0, 0, false, 1, 8 },
};

static void test_known(void **state)
{
	struct pb_x86_insn x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct known *k = &cases[i];

		print_message("%s\n", k->what);
		assert_int_equal(pb_x86_decode(&x, k->bytes, k->n, true), 0);
		assert_int_equal(x.len, k->len);
		assert_int_equal(x.nop, k->nop);
		assert_int_equal(x.branch, k->branch);
		if (k->branch == PB_X86_JCC || k->branch == PB_X86_LOOP)
			assert_int_equal(x.cond, k->cond);
		assert_int_equal(x.rel_off, k->rel_off);
		assert_int_equal(x.rel_size, k->rel_size);
		assert_int_equal(x.disp_off, k->disp_off);
		assert_int_equal(x.rip, k->rip);
		assert_int_equal(x.imm_off, k->imm_off);
		assert_int_equal(x.imm_size, k->imm_size);
	}
}

static void test_modes_and_truncation(void **state)
{
	static const uint8_t call[] = { 0xe8, 0, 0, 0, 0 }, inc[] = { 0x40 };
	static const uint8_t rip[] = { 0x8b, 0x05, 1, 2, 3, 4 };
	static const uint8_t prefixes[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 };
	struct pb_x86_insn x;
	size_t n;

	(void)state;
	/* A cut-off instruction is not an instruction, at any cut. */
	for (n = 0; n < sizeof(call); n++)
		assert_int_equal(pb_x86_decode(&x, call, n, true), -1);
	/* 32-bit mode: 0x40 is inc eax, and [disp32] is absolute, not RIP-relative. */
	assert_int_equal(pb_x86_decode(&x, inc, 1, false), 0);
	assert_int_equal(x.len, 1);
	assert_int_equal(pb_x86_decode(&x, rip, sizeof(rip), false), 0);
	assert_int_equal(x.len, 6);
	assert_int_equal(x.disp_off, 2);
	assert_false(x.rip);
	assert_int_equal(pb_x86_decode(&x, rip, sizeof(rip), true), 0);
	assert_true(x.rip);
	/* Longer than 15 bytes is never an instruction. */
	assert_int_equal(pb_x86_decode(&x, prefixes, sizeof(prefixes), true), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_modes_and_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
