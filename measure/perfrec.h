/* perfrec.h: one perf_event sample record (IP, TID, TIME, CALLCHAIN, REGS_USER, STACK_USER) parsed with every bound checked. */
#ifndef PB_MEASURE_PERFREC_H
#define PB_MEASURE_PERFREC_H

#include <stddef.h>
#include <stdint.h>

/* perf's x86-64 user register numbers (arch/x86/include/uapi/asm/perf_regs.h) go up to R15 = 23. */
#define PB_PERFREC_MAX_REGS 24

/*
 * The user registers the DWARF unwinder needs, as a PERF_SAMPLE_REGS_USER mask: AX BX CX DX SI DI
 * BP SP IP (0-8) and R8-R15 (16-23); flags and segment registers are left out.
 */
#define PB_PERFREC_REGS_MASK ((uint64_t)0x1ff | ((uint64_t)0xff << 16))

/* Registers in the DWARF numbering of the x86-64 psABI: rax rdx rcx rbx rsi rdi rbp rsp r8-r15, then rip (16). */
#define PB_PERFREC_DWARF_REGS 17

/* One parsed PERF_RECORD_SAMPLE; pointers point into the record. */
struct pb_perfrec_sample {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t nr;                  /* callchain entries (PERF_SAMPLE_CALLCHAIN) */
	const unsigned char *chain;   /* nr unaligned u64s, the record's bytes */
	uint64_t abi;                 /* PERF_SAMPLE_REGS_ABI_*: 0 none (a kernel thread), 2 for 64-bit */
	uint64_t regs[PB_PERFREC_MAX_REGS]; /* by perf register number; those not in the mask 0 */
	const unsigned char *stack;   /* the copied user stack, from the sampled SP upward */
	uint64_t stack_size;          /* bytes of it that are valid (the kernel's dyn_size) */
};

/*
 * Parse the PERF_RECORD_SAMPLE `rec` of `size` bytes (the header included) written for an event
 * with `sample_type` (only IP, TID, TIME, CALLCHAIN, REGS_USER and STACK_USER may be set) and
 * `regs_mask` (its sample_regs_user). Every length is taken from the record and checked against
 * `size` before it is used: nothing is read outside rec[0, size). Returns 0, or -1 for a record
 * that is short, inconsistent or of another layout (no error recorded: a bad record is skipped).
 */
int pb_perfrec_parse_sample(struct pb_perfrec_sample *out, const unsigned char *rec, size_t size,
			    uint64_t sample_type, uint64_t regs_mask);

/* The user registers of `s` (abi 64-bit) in DWARF order (PB_PERFREC_DWARF_REGS words). */
void pb_perfrec_dwarf_regs(const struct pb_perfrec_sample *s, uint64_t *dwarf);

#endif
