/* test_unwind.c: the DWARF unwinder on this process's own registers and stack (no perf_event needed), and on stacks it cannot unwind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/unwind.h"

#define STACK_COPY 8192

struct snap {
	uint64_t regs[PB_UNWIND_NREGS];
	unsigned char *stack;
	size_t size;
	struct pb_unwind_map maps[64];
	char *paths[64];
	size_t n_maps;
	uint64_t stack_end;
};

/* The executable file mappings of this process, and where the main stack ends. */
static void read_maps(struct snap *s)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], perm[8], path[4000];
	uint64_t lo, hi, off;
	int n;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		n = sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %3999s", &lo, &hi, perm,
			   &off, path);
		if (n < 4)
			continue;
		if (strcmp(path, "[stack]") == 0)
			s->stack_end = hi;
		if (perm[2] != 'x' || path[0] != '/' || s->n_maps == 64)
			continue;
		s->paths[s->n_maps] = strdup(path);
		s->maps[s->n_maps] = (struct pb_unwind_map){ lo, hi, off, s->paths[s->n_maps] };
		s->n_maps++;
	}
	fclose(f);
}

/* Copy the live stack as the kernel does: byte by byte, past ASan's red zones (no memcpy to check them). */
__attribute__((no_sanitize("address"))) static void copy_stack(unsigned char *to, uint64_t from, size_t n)
{
	const volatile unsigned char *p = (const volatile unsigned char *)(uintptr_t)from;
	size_t i;

	for (i = 0; i < n; i++)
		to[i] = p[i];
}

/*
 * Registers as a sample would hold them, at one instruction of this function: rip (the lea's),
 * rsp, rbp and the callee-saved ones read together; then the stack from rsp up.
 */
static __attribute__((noinline)) void capture(struct snap *s)
{
	uint64_t rip, rsp, rbp, rbx, r12, r13, r14, r15;

	__asm__ volatile("leaq 0(%%rip), %0\n\t"
			 "movq %%rsp, %1\n\t"
			 "movq %%rbp, %2\n\t"
			 "movq %%rbx, %3\n\t"
			 "movq %%r12, %4\n\t"
			 "movq %%r13, %5\n\t"
			 "movq %%r14, %6\n\t"
			 "movq %%r15, %7\n\t"
			 : "=r"(rip), "=m"(rsp), "=m"(rbp), "=m"(rbx), "=m"(r12), "=m"(r13), "=m"(r14),
			   "=m"(r15));
	memset(s->regs, 0, sizeof(s->regs));
	s->regs[3] = rbx;
	s->regs[6] = rbp;
	s->regs[7] = rsp;
	s->regs[12] = r12;
	s->regs[13] = r13;
	s->regs[14] = r14;
	s->regs[15] = r15;
	s->regs[16] = rip;
	s->size = s->stack_end > rsp && s->stack_end - rsp < STACK_COPY ? s->stack_end - rsp : STACK_COPY;
	copy_stack(s->stack, rsp, s->size);
}

static void release(struct snap *s)
{
	size_t i;

	for (i = 0; i < s->n_maps; i++)
		free(s->paths[i]);
	free(s->stack);
}

/* The caller of capture() is this function: the second frame lies inside it. */
static __attribute__((noinline)) void test_own_stack(void **state)
{
	struct pb_unwinder *u;
	struct snap s;
	uint64_t pcs[64];
	size_t n = 0, again = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stack = malloc(STACK_COPY);
	read_maps(&s);
	assert_true(s.n_maps > 0);
	assert_true(s.stack_end > 0);
	capture(&s);
	assert_int_equal(pb_unwinder_new(&u), 0);
	pb_unwind(u, 1, s.maps, s.n_maps, s.regs, s.stack, s.size, pcs, 64, &n);
	/* capture, test_own_stack, cmocka's runner..., main, libc, _start */
	assert_true(n >= 4);
	assert_int_equal(pcs[0], s.regs[16]);
	assert_true(pcs[0] >= (uintptr_t)capture && pcs[0] < (uintptr_t)capture + 4096);
	assert_true(pcs[1] >= (uintptr_t)test_own_stack && pcs[1] < (uintptr_t)test_own_stack + 4096);
	/* Again in the same space: the cached objects give the same frames. */
	pb_unwind(u, 1, s.maps, s.n_maps, s.regs, s.stack, s.size, pcs + 32, 32, &again);
	assert_int_equal(again, n < 32 ? n : 32);
	assert_memory_equal(pcs, pcs + 32, again * sizeof(*pcs));
	/* The cap: exactly max frames. */
	pb_unwind(u, 1, s.maps, s.n_maps, s.regs, s.stack, s.size, pcs, 2, &n);
	assert_int_equal(n, 2);
	/* A stack copy too short for the first return address: the leaf alone or a frame more, no read past it. */
	pb_unwind(u, 1, s.maps, s.n_maps, s.regs, s.stack, 0, pcs, 64, &n);
	assert_true(n >= 1 && n <= 3);
	pb_unwinder_free(u);
	release(&s);
}

/* Nothing to unwind with: no mappings, unreadable files, garbage registers. The leaf alone. */
static void test_cannot_unwind(void **state)
{
	struct pb_unwinder *u;
	struct pb_unwind_map bad = { 0x400000, 0x401000, 0, "/nonexistent/prog" };
	uint64_t regs[PB_UNWIND_NREGS], pcs[8];
	unsigned char stack[64];
	size_t n = 99;

	(void)state;
	memset(regs, 0xab, sizeof(regs));
	memset(stack, 0xcd, sizeof(stack));
	regs[16] = 0x400123;
	assert_int_equal(pb_unwinder_new(&u), 0);
	pb_unwind(u, 7, NULL, 0, regs, stack, sizeof(stack), pcs, 8, &n);
	assert_int_equal(n, 1);
	assert_int_equal(pcs[0], 0x400123);
	pb_unwind(u, 8, &bad, 1, regs, stack, sizeof(stack), pcs, 8, &n);
	assert_int_equal(n, 1);
	pb_unwind(u, 8, &bad, 1, regs, stack, sizeof(stack), pcs, 0, &n);
	assert_int_equal(n, 0);
	pb_unwinder_free(u);
	pb_unwinder_free(NULL);
}

/* More processes than live sessions: each still unwinds (sessions are ended and made again). */
static void test_many_spaces(void **state)
{
	struct pb_unwinder *u;
	struct snap s;
	uint64_t pcs[64];
	size_t n, first = 0;
	uint32_t id;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stack = malloc(STACK_COPY);
	read_maps(&s);
	capture(&s);
	assert_int_equal(pb_unwinder_new(&u), 0);
	for (id = 0; id < 40; id++) {
		pb_unwind(u, id % 20, s.maps, s.n_maps, s.regs, s.stack, s.size, pcs, 64, &n);
		if (id == 0)
			first = n;
		assert_int_equal(n, first);
	}
	assert_true(first >= 4);
	pb_unwinder_free(u);
	release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_stack),
		cmocka_unit_test(test_cannot_unwind),
		cmocka_unit_test(test_many_spaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
