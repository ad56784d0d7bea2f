/* code.c: code objects and the assembler that builds them. */
#include <stdio.h>
#include <stdlib.h>

#include "code.h"
#include "opcodes.h"

struct code *code_new(const char *name, int nargs, int nlocals)
{
	struct code *c;

	if (nargs > nlocals || nlocals > CODE_MAX_LOCALS)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->name = name;
	c->nargs = nargs;
	c->nlocals = nlocals;
	return c;
}

void code_free(struct code *c)
{
	if (!c)
		return;
	free(c->insns);
	free(c);
}

int code_emit(struct code *c, int op, int arg)
{
	if (c->len == c->cap) {
		int ncap = c->cap ? 2 * c->cap : 16;
		struct insn *n = realloc(c->insns, (size_t)ncap * sizeof(*n));
		if (!n)
			return -1;
		c->insns = n;
		c->cap = ncap;
	}
	c->insns[c->len].op = op;
	c->insns[c->len].arg = arg;
	return c->len++;
}

int code_const(struct code *c, struct value v)
{
	if (c->nconsts == CODE_MAX_CONSTS)
		return -1;
	c->consts[c->nconsts] = v;
	return c->nconsts++;
}

int code_here(const struct code *c)
{
	return c->len;
}

int code_emit_n(struct code *c, int n, const int *pairs)
{
	int at = -1;

	for (int i = 0; i < n; i++) {
		at = code_emit(c, pairs[2 * i], pairs[2 * i + 1]);
		if (at < 0)
			return -1;
	}
	return at;
}

void code_patch(struct code *c, int at, int target)
{
	c->insns[at].arg = target;
}

void code_dump(const struct code *c, FILE *f)
{
	fprintf(f, "%s: %d args, %d locals\n", c->name, c->nargs, c->nlocals);
	for (int i = 0; i < c->nconsts; i++)
		fprintf(f, "  const %d: %s %lld\n", i,
			c->consts[i].kind == V_INT ? "int" : "other", (long long)c->consts[i].u.i);
	for (int i = 0; i < c->len; i++)
		fprintf(f, "  %4d  %-14s %d\n", i, opcode_name(c->insns[i].op), c->insns[i].arg);
}

int code_check(const struct code *c)
{
	for (int i = 0; i < c->len; i++) {
		const struct insn *in = &c->insns[i];
		if ((in->op == OP_JUMP || in->op == OP_BRANCH_IF) && (in->arg < 0 || in->arg >= c->len)) {
			fprintf(stderr, "minivm: %s+%d: jump target %d out of range\n", c->name, i,
				in->arg);
			return -1;
		}
	}
	return 0;
}
