/* unwind.h: sampled user stacks (registers + a copy of the stack) unwound to their callers with DWARF CFI. */
#ifndef PB_LAYOUT_UNWIND_H
#define PB_LAYOUT_UNWIND_H

#include <stddef.h>
#include <stdint.h>

/* Registers in DWARF order (x86-64 psABI): rax rdx rcx rbx rsi rdi rbp rsp r8-r15, then rip. */
#define PB_UNWIND_NREGS 17

/* An executable mapping of the sampled process. */
struct pb_unwind_map {
	uint64_t start, end, pgoff;
	const char *path; /* the mapped ELF file; NULL when it is not a readable file ([vdso], anon) */
};

/* Address spaces with their objects' CFI, kept across samples. Opaque. */
struct pb_unwinder;

/* A new unwinder; *out owned by the caller (pb_unwinder_free). Returns 0 or -1 (libdw failed). */
int pb_unwinder_new(struct pb_unwinder **out);

/* Accepts NULL. Closes every object it opened. */
void pb_unwinder_free(struct pb_unwinder *u);

/*
 * Unwind one sample taken in address space `space` (a number the caller keeps for one process
 * image), whose executable mappings at the time were maps[0..n_maps), oldest first (for one space,
 * each call's maps extend the previous call's: new ones are read, old ones kept with their CFI).
 * `regs`: PB_UNWIND_NREGS registers at the sample; `stack`: stack_size bytes copied from regs[7]
 * (rsp) upward. Writes at most `max` frames to pcs, the leaf first: pcs[0] is the sampled
 * instruction (regs[16]), each caller's entry is its return address minus 1 (inside the call);
 * *n is how many. Unwinding stops at the outermost frame (CFI says there is no caller), where
 * the CFI or the copied stack runs out, or at `max`. Never fails: a stack it cannot unwind gives
 * the leaf alone (max must be at least 1).
 */
void pb_unwind(struct pb_unwinder *u, uint32_t space, const struct pb_unwind_map *maps, size_t n_maps,
	       const uint64_t *regs, const unsigned char *stack, size_t stack_size, uint64_t *pcs,
	       size_t max, size_t *n);

#endif
