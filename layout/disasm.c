/* disasm.c: capstone decoding of functions: normalized streams for code comparison, JCC and loop checks. */
#include "layout/disasm.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

/* One decoded instruction before its targets are resolved. */
struct dec {
	uint64_t addr;
	uint64_t strict;  /* hash of everything but the symbolized targets */
	uint64_t loose;
	uint64_t target[2]; /* absolute addresses to symbolize */
	int n_targets;
};

struct pb_disasm {
	const struct pb_elf *elf;
	csh cs;
	cs_insn *insn;
	struct dec *dec;
	size_t n_dec, cap_dec;
};

/* Tokens that cannot collide with hashes of real operands in practice. */
#define TOK_BAD_BYTE 0x6261646279746531ULL
#define TOK_LOCAL 0x6c6f63616c696e73ULL
#define TOK_MID 0x6d6964696e736e21ULL
#define TOK_ABS 0x6162736f6c757465ULL

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

int pb_disasm_new(struct pb_disasm **out, const struct pb_elf *e)
{
	struct pb_disasm *d;
	cs_mode mode;
	csh cs;

	*out = NULL;
	if (e->machine == EM_X86_64 && e->is64)
		mode = CS_MODE_64;
	else if (e->machine == EM_386 && !e->is64)
		mode = CS_MODE_32;
	else
		return 0;
	if (cs_open(CS_ARCH_X86, mode, &cs) != CS_ERR_OK)
		return pb_error_as(PB_EXIT_ENV, "capstone: cannot open an x86 disassembler");
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	d = pb_xcalloc(1, sizeof(*d));
	d->elf = e;
	d->cs = cs;
	d->insn = cs_malloc(cs);
	*out = d;
	return 0;
}

void pb_disasm_free(struct pb_disasm *d)
{
	if (!d)
		return;
	if (d->insn)
		cs_free(d->insn, 1);
	cs_close(&d->cs);
	free(d->dec);
	free(d);
}

static bool in_group(const cs_insn *in, uint8_t g)
{
	uint8_t i;

	for (i = 0; i < in->detail->groups_count; i++)
		if (in->detail->groups[i] == g)
			return true;
	return false;
}

/* An absolute immediate in a non-PIE executable that points into the image is an address. */
static bool looks_like_address(const struct pb_elf *e, uint64_t v)
{
	return e->type == ET_EXEC && v >= 0x10000 && pb_elf_section_at(e, v) != NULL;
}

/* Decode one instruction of f into d->dec. */
static void decode_one(struct pb_disasm *d, const cs_insn *in, struct dec *o)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *op;
	uint64_t h = mix(0, in->id);
	bool branch = in_group(in, CS_GRP_JUMP) || in_group(in, CS_GRP_CALL);
	uint8_t i;

	o->addr = in->address;
	o->loose = mix(1, in->id);
	o->n_targets = 0;
	for (i = 0; i < 4; i++)
		h = mix(h, x->prefix[i]);
	for (i = 0; i < x->op_count; i++) {
		op = &x->operands[i];
		h = mix(h, (uint64_t)op->type);
		switch (op->type) {
		case X86_OP_REG:
			h = mix(h, op->reg);
			break;
		case X86_OP_IMM:
			if ((branch || looks_like_address(d->elf, (uint64_t)op->imm)) && o->n_targets < 2) {
				o->target[o->n_targets++] = (uint64_t)op->imm;
				h = mix(h, TOK_ABS);
			} else {
				h = mix(h, (uint64_t)op->imm);
				h = mix(h, op->size);
			}
			break;
		case X86_OP_MEM:
			h = mix(h, op->mem.segment);
			h = mix(h, op->mem.base);
			h = mix(h, op->mem.index);
			h = mix(h, (uint64_t)op->mem.scale);
			h = mix(h, op->size);
			if (op->mem.base == X86_REG_RIP && o->n_targets < 2) {
				o->target[o->n_targets++] = in->address + in->size + (uint64_t)op->mem.disp;
			} else if (op->mem.base == X86_REG_INVALID && op->mem.index == X86_REG_INVALID &&
				   looks_like_address(d->elf, (uint64_t)op->mem.disp) && o->n_targets < 2) {
				o->target[o->n_targets++] = (uint64_t)op->mem.disp;
			} else {
				h = mix(h, (uint64_t)op->mem.disp);
			}
			break;
		default:
			break;
		}
	}
	o->strict = h;
}

/* Decode f into d->dec (NOPs dropped). Returns the number of entries. */
static size_t decode(struct pb_disasm *d, const struct pb_elf_sym *f)
{
	const uint8_t *code;
	size_t len, n = 0;
	uint64_t addr;
	struct dec *o;

	code = pb_elf_func_code(d->elf, f, &len);
	addr = f->addr;
	while (code && len) {
		pb_xgrow((void **)&d->dec, &d->cap_dec, n + 1, sizeof(*d->dec));
		o = &d->dec[n];
		if (!cs_disasm_iter(d->cs, &code, &len, &addr, d->insn)) {
			/* Data or an encoding capstone does not know: compare it byte by byte. */
			o->addr = addr;
			o->strict = mix(TOK_BAD_BYTE, *code);
			o->loose = o->strict;
			o->n_targets = 0;
			code++, len--, addr++;
			n++;
			continue;
		}
		if (d->insn->id == X86_INS_NOP)
			continue;
		decode_one(d, d->insn, o);
		n++;
	}
	d->n_dec = n;
	return n;
}

/* The index of the decoded instruction starting at addr, or -1. */
static long dec_index(const struct pb_disasm *d, uint64_t addr)
{
	size_t lo = 0, hi = d->n_dec, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->dec[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n_dec && d->dec[lo].addr == addr ? (long)lo : -1;
}

/* A target as a token independent of where the code landed. */
static uint64_t target_token(const struct pb_disasm *d, const struct pb_elf_sym *f, uint64_t t)
{
	const struct pb_elf_section *sec;
	const struct pb_elf_sym *s;
	size_t len;
	long idx;
	bool cold;

	if (t >= f->addr && t - f->addr < f->size) {
		idx = dec_index(d, t);
		if (idx >= 0)
			return mix(TOK_LOCAL, (uint64_t)idx);
		/* A target that is a dropped NOP or mid-instruction: count to the next instruction. */
		return mix(TOK_MID, t - f->addr);
	}
	s = pb_elf_sym_at(d->elf, t);
	if (s) {
		len = pb_elf_base_name(s->name, &cold);
		return mix(mix(pb_hash64(s->name, len, PB_HASH64_SEED), cold), t - s->addr);
	}
	sec = pb_elf_section_at(d->elf, t);
	if (sec)
		return mix(pb_hash64(sec->name, strlen(sec->name), PB_HASH64_SEED), t - sec->addr);
	return mix(TOK_ABS, t);
}

int pb_disasm_normalize(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_norm *out)
{
	size_t n = decode(d, f), i;
	uint64_t h;
	int k;

	out->n = 0;
	pb_xgrow((void **)&out->strict, &out->cap, n, sizeof(*out->strict));
	out->loose = pb_xrealloc(out->loose, out->cap * sizeof(*out->loose));
	for (i = 0; i < n; i++) {
		h = d->dec[i].strict;
		for (k = 0; k < d->dec[i].n_targets; k++)
			h = mix(h, target_token(d, f, d->dec[i].target[k]));
		out->strict[i] = h;
		out->loose[i] = d->dec[i].loose;
	}
	out->n = n;
	return 0;
}

void pb_norm_release(struct pb_norm *n)
{
	free(n->strict);
	free(n->loose);
	memset(n, 0, sizeof(*n));
}

enum pb_code_class pb_norm_compare(const struct pb_norm *a, const struct pb_norm *b)
{
	if (a->n != b->n)
		return PB_CODE_CHANGED;
	if (a->n == 0 || memcmp(a->strict, b->strict, a->n * sizeof(*a->strict)) == 0)
		return PB_CODE_STRICT_EQUAL;
	if (memcmp(a->loose, b->loose, a->n * sizeof(*a->loose)) == 0)
		return PB_CODE_LOOSE_EQUAL;
	return PB_CODE_CHANGED;
}

const char *pb_code_class_name(enum pb_code_class c)
{
	switch (c) {
	case PB_CODE_STRICT_EQUAL:
		return "strict-equal";
	case PB_CODE_LOOSE_EQUAL:
		return "loose-equal";
	case PB_CODE_CHANGED:
		break;
	}
	return "changed";
}

/* Instructions that macro-fuse with a following conditional jump on Intel cores. */
static bool fusible(unsigned id)
{
	switch (id) {
	case X86_INS_CMP:
	case X86_INS_TEST:
	case X86_INS_ADD:
	case X86_INS_SUB:
	case X86_INS_AND:
	case X86_INS_INC:
	case X86_INS_DEC:
		return true;
	default:
		return false;
	}
}

static void add_site(struct pb_branches *b, size_t *cap, uint64_t start, uint64_t end, bool fused)
{
	struct pb_branch_site *s;

	if (start / 32 == (end - 1) / 32 && end % 32 != 0)
		return;
	pb_xgrow((void **)&b->jcc, cap, b->n_jcc + 1, sizeof(*b->jcc));
	s = &b->jcc[b->n_jcc++];
	s->addr = start;
	s->size = (uint32_t)(end - start);
	s->crosses = start / 32 != (end - 1) / 32;
	s->fused = fused;
}

int pb_disasm_branches(struct pb_disasm *d, const struct pb_elf_sym *f, uint32_t line,
		       struct pb_branches *out)
{
	const uint8_t *code;
	size_t len, cap_jcc = 0, cap_loops = 0;
	uint64_t addr, prev_addr = 0, prev_end = 0, start, end, target;
	unsigned prev_id = X86_INS_INVALID;
	bool jump, cond, fused;
	struct pb_loop *l;
	const cs_x86_op *op;

	pb_branches_release(out);
	code = pb_elf_func_code(d->elf, f, &len);
	addr = f->addr;
	while (code && len) {
		if (!cs_disasm_iter(d->cs, &code, &len, &addr, d->insn)) {
			code++, len--, addr++;
			prev_id = X86_INS_INVALID;
			continue;
		}
		jump = in_group(d->insn, CS_GRP_JUMP);
		if (jump || in_group(d->insn, CS_GRP_CALL) || in_group(d->insn, CS_GRP_RET) ||
		    in_group(d->insn, CS_GRP_IRET)) {
			out->n_branches++;
			cond = jump && d->insn->id != X86_INS_JMP && d->insn->id != X86_INS_LJMP;
			fused = cond && fusible(prev_id) && prev_end == d->insn->address;
			start = fused ? prev_addr : d->insn->address;
			end = d->insn->address + d->insn->size;
			add_site(out, &cap_jcc, start, end, fused);
			op = &d->insn->detail->x86.operands[0];
			if (jump && d->insn->detail->x86.op_count == 1 && op->type == X86_OP_IMM) {
				target = (uint64_t)op->imm;
				if (target <= d->insn->address && target >= f->addr) {
					out->n_back_edges++;
					pb_xgrow((void **)&out->loops, &cap_loops, out->n_loops + 1,
						 sizeof(*out->loops));
					l = &out->loops[out->n_loops];
					l->head = target;
					l->end = end;
					l->lines = (uint32_t)((end - 1) / line - target / line + 1);
					l->min_lines = (uint32_t)((end - target + line - 1) / line);
					if (l->lines > l->min_lines)
						out->n_loops++;
				}
			}
		}
		prev_id = d->insn->id;
		prev_addr = d->insn->address;
		prev_end = d->insn->address + d->insn->size;
	}
	return 0;
}

void pb_branches_release(struct pb_branches *b)
{
	free(b->jcc);
	free(b->loops);
	memset(b, 0, sizeof(*b));
}
