/* x86len.h: a table-driven x86 instruction length decoder that finds branch and RIP-relative fields. */
#ifndef PB_LAYOUT_X86LEN_H
#define PB_LAYOUT_X86LEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_x86_branch {
	PB_X86_NOT_BRANCH,
	PB_X86_JCC,  /* conditional jump (70-7F, 0F 80-8F); cond = the condition code */
	PB_X86_JMP,  /* EB, E9 */
	PB_X86_CALL, /* E8 */
	PB_X86_LOOP, /* E0-E3: loopne, loope, loop, jrcxz; cond = opcode - 0xE0 */
};

/* One decoded instruction: its length and where its position-dependent fields are. */
struct pb_x86_insn {
	uint8_t len;
	bool nop;             /* 90 (not pause, not xchg r8), 66 90, 0F 19-1F (not endbr) */
	uint8_t branch;       /* enum pb_x86_branch; the relative target is in rel_off/rel_size */
	uint8_t cond;
	uint8_t rel_off, rel_size; /* relative branch displacement (size 0: none) */
	uint8_t disp_off;     /* 32-bit displacement position (0: none) */
	bool rip;             /* that displacement is RIP-relative (64-bit mode, mod 00 r/m 101) */
	uint8_t imm_off, imm_size; /* immediate (size 0: none; 8 for movabs) */
	uint32_t opkey;       /* map, opcode and, for group opcodes, ModRM.reg: the mnemonic's stand-in */
};

/*
 * Decode the instruction at p (at most `avail` bytes) in 64-bit (is64) or 32-bit mode. Returns 0,
 * or -1 when the bytes are not a complete instruction (then *out is unspecified). Never reads past
 * p + avail. Handles legacy prefixes, REX, VEX, EVEX, XOP, the 0F, 0F 38, 0F 3A maps and 3DNow!.
 */
int pb_x86_decode(struct pb_x86_insn *out, const uint8_t *p, size_t avail, bool is64);

#endif
