/* disasm.h: x86 instruction streams normalized for "same code?" comparisons, and branch placement checks. */
#ifndef PB_LAYOUT_DISASM_H
#define PB_LAYOUT_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout/elf.h"

enum pb_code_class {
	PB_CODE_STRICT_EQUAL, /* equal normalized streams */
	PB_CODE_LOOSE_EQUAL,  /* same mnemonics in the same order, some operand differs */
	PB_CODE_CHANGED,
};

/* A disassembler bound to one pb_elf (which must outlive it). */
struct pb_disasm;

/*
 * A disassembler for e's machine. x86-64 (and i386) are supported; for any other machine *out is
 * NULL and 0 is returned: callers skip the code checks and say so. Returns -1 (class
 * PB_EXIT_ENV) when capstone cannot be opened.
 */
int pb_disasm_new(struct pb_disasm **out, const struct pb_elf *e);
/* Close the disassembler and free its buffers. Accepts NULL. */
void pb_disasm_free(struct pb_disasm *d);

/*
 * A function's instruction stream, normalized: one (strict, loose) token pair per instruction,
 * NOP padding left out. Strict tokens hash the instruction and its operands with relative branch
 * and call targets replaced by symbol+offset (or, inside the function, the index of the target
 * instruction, so short and near jumps compare equal), RIP-relative operands by symbol+addend
 * (section+offset when no symbol covers them). Loose tokens are the mnemonic alone.
 */
struct pb_norm {
	uint64_t *strict, *loose;
	size_t n, cap;
};

/* Normalize the code of function f (from d's pb_elf). *out is reset first. Returns 0 or -1. */
int pb_disasm_normalize(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_norm *out);
/* Free a stream's arrays and leave it empty (reusable). */
void pb_norm_release(struct pb_norm *n);

/*
 * As pb_disasm_normalize(), with the table decoder of x86len.c instead of capstone: ~50x faster, for
 * comparing every function of two big builds. Tokens differ from capstone's (compare fast with
 * fast only): strict tokens hash the instruction bytes with RIP-relative displacements (and, in
 * non-PIE executables, absolute addresses) replaced by symbol+offset and relative branches by
 * kind, condition and target; loose tokens hash the opcode (map, opcode, ModRM.reg of group
 * opcodes, mandatory prefix) standing in for the mnemonic. Returns 0 or -1.
 */
int pb_disasm_normalize_fast(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_norm *out);

/*
 * The class pb_norm_compare() gives the pb_disasm_normalize_fast() streams of g (of gd's binary)
 * and b (of bd's), without building them: functions alike in lockstep (pb_disasm_same_code_fast) are
 * strict-equal; for the others the loose tokens are compared from the first instruction that
 * differs, before any target is symbolized, and the strict tokens only up to the first
 * difference. Never fails.
 */
enum pb_code_class pb_disasm_compare_fast(struct pb_disasm *gd, const struct pb_elf_sym *g,
					  struct pb_disasm *bd, const struct pb_elf_sym *b);

/*
 * A quick "same code?" for functions g (of gd's binary) and b (of bd's), with the table decoder:
 * true when both decode in lockstep to instructions of equal lengths and bytes, except for
 * position-dependent fields that reach the same symbol+offset (or the same offset inside the
 * function). True implies their normalized streams are equal (strict-equal); false says nothing
 * more (a short jump against a near one, different padding): normalize and compare.
 */
bool pb_disasm_same_code_fast(struct pb_disasm *gd, const struct pb_elf_sym *g,
			      struct pb_disasm *bd, const struct pb_elf_sym *b);

/* Compare two normalized streams. */
enum pb_code_class pb_norm_compare(const struct pb_norm *a, const struct pb_norm *b);
/* "strict-equal", "loose-equal", "changed". */
const char *pb_code_class_name(enum pb_code_class c);

/* A jump, call or return (with a macro-fused compare when there is one) at a 32 B boundary. */
struct pb_branch_site {
	uint64_t addr;  /* first byte (the fused compare's when fused) */
	uint32_t size;  /* bytes up to the end of the branch */
	bool crosses;   /* crosses a 32 B boundary (else it ends on one) */
	bool fused;
};

/* A loop (backward branch inside the function) spanning more lines than its size needs. */
struct pb_loop {
	uint64_t head, end;   /* [head, end): branch target to the end of the branch */
	uint32_t lines;       /* lines touched */
	uint32_t min_lines;   /* ceil(size / line) */
};

struct pb_branches {
	struct pb_branch_site *jcc; /* the JCC-erratum sites */
	size_t n_jcc;
	struct pb_loop *loops;      /* only the loops that straddle more lines than needed */
	size_t n_loops;
	size_t n_branches;          /* jumps, calls and returns seen */
	size_t n_back_edges;        /* all loops seen */
};

/*
 * Find the JCC-erratum sites and badly split loops of function f, for cache lines of `line` bytes.
 * *out is released and refilled. Returns 0 or -1.
 */
int pb_disasm_branches(struct pb_disasm *d, const struct pb_elf_sym *f, uint32_t line,
		       struct pb_branches *out);
/* Free the site and loop arrays and zero the counts. */
void pb_branches_release(struct pb_branches *b);

/* What an instruction does to the flow of control. */
enum pb_insn_kind {
	PB_INSN_OTHER,
	PB_INSN_JUMP,  /* unconditional jump (direct or indirect) */
	PB_INSN_CJUMP, /* conditional jump (jcc, jrcxz, loop) */
	PB_INSN_CALL,
	PB_INSN_RET,   /* ret, iret, and what ends the flow (ud2, hlt) */
};

/* One decoded instruction, for listings. */
struct pb_insn {
	uint64_t addr;
	uint8_t size;
	uint8_t bytes[15];
	enum pb_insn_kind kind;
	bool has_target;  /* a direct jump or call: target holds where it goes */
	uint64_t target;
	bool fused;       /* a conditional jump that macro-fuses with the instruction just before it
			     (cmp, test, add, sub, and, inc, dec ending where it starts) */
	bool bad;         /* a byte capstone cannot decode (shown as .byte) */
	bool nop;         /* padding */
	uint64_t token;   /* pb_disasm_normalize()'s strict token (targets as symbol+offset, or as the
			     index of the target among the function's non-NOP instructions): equal
			     tokens, same code wherever it landed; NOPs get a token of their own */
	char text[112];   /* "mnemonic operands" as capstone prints them (Intel syntax), cut to fit */
};

/*
 * Decode function f (from d's pb_elf) into *insns (n of them; NOPs included, as they take space in
 * cache lines): the listing `annotate` draws. *insns is reallocated (pass NULL or an earlier
 * result; free() it). Returns 0 (an empty listing when the code cannot be read).
 */
int pb_disasm_list(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_insn **insns, size_t *n);

#endif
