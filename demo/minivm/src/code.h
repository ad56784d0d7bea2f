/* code.h: code objects (bytecode, constants, arity) and the assembler that builds them. */
#ifndef MINIVM_CODE_H
#define MINIVM_CODE_H

#include <stdio.h>

#include "value.h"

#define CODE_MAX_CONSTS 16
#define CODE_MAX_LOCALS 8

struct insn {
	int op;  /* enum opcode */
	int arg; /* local index, constant index, name id, jump target or argument count */
};

struct code {
	const char *name;
	int nargs;   /* arguments, including self for a method */
	int nlocals; /* arguments and locals; at most CODE_MAX_LOCALS */
	int len, cap;
	struct insn *insns;
	int nconsts;
	struct value consts[CODE_MAX_CONSTS];
};

/* code_new: an empty code object; NULL when out of memory or nlocals is too big. */
struct code *code_new(const char *name, int nargs, int nlocals);
void code_free(struct code *c);
/* code_emit: append an instruction; its index, or -1 when out of memory. */
int code_emit(struct code *c, int op, int arg);
/* code_const: add a constant; its index, or -1 when the table is full. */
int code_const(struct code *c, struct value v);
/* code_here: the index the next instruction will have (a jump target). */
int code_here(const struct code *c);
/* code_emit_n: append n instructions given as n (op, arg) pairs; the index of the last one, or
 * -1 when out of memory. CODE_EMIT(c, OP_X, arg, OP_Y, arg, ...) counts the pairs. */
int code_emit_n(struct code *c, int n, const int *pairs);
#define CODE_EMIT(c, ...) \
	code_emit_n((c), (int)(sizeof((int[]){ __VA_ARGS__ }) / (2 * sizeof(int))), (int[]){ __VA_ARGS__ })
/* code_patch: make the jump at index at go to target. */
void code_patch(struct code *c, int at, int target);

/* code_dump: print c's instructions and constants to f, one per line. */
void code_dump(const struct code *c, FILE *f);
/* code_check: 0 when every jump target is inside c, else -1 with a message on stderr. */
int code_check(const struct code *c);

#endif
