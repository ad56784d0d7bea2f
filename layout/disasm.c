/* disasm.c: capstone decoding of functions: normalized streams for code comparison, JCC and loop checks. */
#include "layout/disasm.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"
#include "layout/x86len.h"

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
	bool is64;
	uint64_t image_lo, image_hi; /* allocated sections' range, to reject non-addresses fast */
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
	size_t i;
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
	d->is64 = mode == CS_MODE_64;
	d->cs = cs;
	d->insn = cs_malloc(cs);
	d->image_lo = UINT64_MAX;
	for (i = 1; i < e->n_sections; i++) {
		if (!e->sections[i].alloc || !e->sections[i].size)
			continue;
		if (e->sections[i].addr < d->image_lo)
			d->image_lo = e->sections[i].addr;
		if (e->sections[i].addr + e->sections[i].size > d->image_hi)
			d->image_hi = e->sections[i].addr + e->sections[i].size;
	}
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
static bool looks_like_address(const struct pb_disasm *d, uint64_t v)
{
	return d->elf->type == ET_EXEC && v >= 0x10000 && v >= d->image_lo && v < d->image_hi &&
	       pb_elf_section_at(d->elf, v) != NULL;
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
			if ((branch || looks_like_address(d, (uint64_t)op->imm)) && o->n_targets < 2) {
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
				   looks_like_address(d, (uint64_t)op->mem.disp) && o->n_targets < 2) {
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

	code = pb_elf_func_code_window(d->elf, f, &len);
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

static uint64_t read_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int64_t sign_extend(uint64_t v, size_t bytes)
{
	unsigned shift = (unsigned)(64 - 8 * bytes);

	return (int64_t)(v << shift) >> shift;
}

/* The loose token of an instruction from the table decoder: the mnemonic's stand-in. */
static uint64_t fast_loose(const struct pb_x86_insn *x)
{
	return x->branch ? mix(mix(2, x->branch), x->cond) : mix(3, x->opkey);
}

/* One instruction from the table decoder (x86len.c) into o: bytes hashed, addresses set aside. */
static void decode_fast_one(struct pb_disasm *d, const struct pb_x86_insn *x, const uint8_t *code,
			    uint64_t addr, struct dec *o)
{
	uint64_t h, v, w0, w1;
	size_t i, skip_from = SIZE_MAX, skip_to = 0, imm_from = SIZE_MAX, imm_to = 0;
	uint8_t buf[16];

	o->addr = addr;
	o->n_targets = 0;
	if (x->branch) {
		/* Short and near forms of one jump are one token: kind, condition, target. */
		o->loose = fast_loose(x);
		o->strict = o->loose;
		v = read_le(code + x->rel_off, x->rel_size);
		o->target[o->n_targets++] = addr + x->len + (uint64_t)sign_extend(v, x->rel_size);
		return;
	}
	o->loose = fast_loose(x);
	if (x->disp_off) {
		v = read_le(code + x->disp_off, 4);
		if (x->rip) {
			o->target[o->n_targets++] = addr + x->len + (uint64_t)sign_extend(v, 4);
			skip_from = x->disp_off, skip_to = x->disp_off + 4u;
		} else if (looks_like_address(d, v)) {
			o->target[o->n_targets++] = v;
			skip_from = x->disp_off, skip_to = x->disp_off + 4u;
		}
	}
	if (x->imm_size == 4 && o->n_targets < 2) {
		v = read_le(code + x->imm_off, 4);
		if (looks_like_address(d, v)) {
			o->target[o->n_targets++] = v;
			imm_from = x->imm_off, imm_to = x->imm_off + 4u;
		}
	}
	/* The bytes, address fields zeroed, as two words: instructions are at most 15 bytes. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, code, x->len);
	for (i = skip_from; i < skip_to && i < sizeof(buf); i++)
		buf[i] = 0;
	for (i = imm_from; i < imm_to && i < sizeof(buf); i++)
		buf[i] = 0;
	memcpy(&w0, buf, 8);
	memcpy(&w1, buf + 8, 8);
	h = mix(mix(mix(4, x->len), w0), w1);
	o->strict = h;
}

/*
 * One step of decode_fast(): the instruction x decoded at code[*off] of f (rc != 0: a byte that
 * starts none) into d->dec[*n], unless a NOP; *off moves past it.
 */
static void add_fast(struct pb_disasm *d, const struct pb_elf_sym *f, const uint8_t *code,
		     size_t *off, size_t *n, int rc, const struct pb_x86_insn *x)
{
	struct dec *o;

	if (*n >= d->cap_dec) /* checked here: a call per instruction costs more than the rest */
		pb_xgrow((void **)&d->dec, &d->cap_dec, *n + 1, sizeof(*d->dec));
	o = &d->dec[*n];
	if (rc) {
		o->addr = f->addr + *off;
		o->strict = mix(TOK_BAD_BYTE, code[*off]);
		o->loose = o->strict;
		o->n_targets = 0;
		(*off)++;
		(*n)++;
		return;
	}
	if (!x->nop) {
		decode_fast_one(d, x, code + *off, f->addr + *off, o);
		(*n)++;
	}
	*off += x->len;
}

/* Decode f with the table decoder into d->dec (NOPs dropped). Returns the number of entries. */
static size_t decode_fast(struct pb_disasm *d, const struct pb_elf_sym *f)
{
	const uint8_t *code;
	size_t len, off = 0, n = 0;
	struct pb_x86_insn x;
	int rc;

	code = pb_elf_func_code_window(d->elf, f, &len);
	while (code && off < len) {
		rc = pb_x86_decode(&x, code + off, len - off, d->is64);
		add_fast(d, f, code, &off, &n, rc, &x);
	}
	d->n_dec = n;
	return n;
}

/*
 * decode_fast() of g and of b, side by side: where b's next bytes are those of g's next
 * instruction, b's is that instruction too (the decoder reads nothing else), decoded once.
 */
static void decode_fast_both(struct pb_disasm *gd, const struct pb_elf_sym *g, struct pb_disasm *bd,
			     const struct pb_elf_sym *b)
{
	const uint8_t *gc, *bc;
	size_t gl, bl, go = 0, bo = 0, ng = 0, nb = 0;
	struct pb_x86_insn xg, xb;
	int rg = -1, rb;
	bool more_g;

	gc = pb_elf_func_code_window(gd->elf, g, &gl);
	bc = pb_elf_func_code_window(bd->elf, b, &bl);
	for (;;) {
		more_g = gc && go < gl;
		if (more_g)
			rg = pb_x86_decode(&xg, gc + go, gl - go, gd->is64);
		if (bc && bo < bl) {
			if (more_g && !rg && gd->is64 == bd->is64 && xg.len <= bl - bo &&
			    memcmp(gc + go, bc + bo, xg.len) == 0) {
				xb = xg;
				rb = 0;
			} else {
				rb = pb_x86_decode(&xb, bc + bo, bl - bo, bd->is64);
			}
			add_fast(bd, b, bc, &bo, &nb, rb, &xb);
		} else if (!more_g) {
			break;
		}
		if (more_g)
			add_fast(gd, g, gc, &go, &ng, rg, &xg);
	}
	gd->n_dec = ng;
	bd->n_dec = nb;
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
/* A target outside the function: symbol+offset, else section+offset, else the address. */
static uint64_t extern_token(const struct pb_disasm *d, uint64_t t)
{
	const struct pb_elf_section *sec;
	const struct pb_elf_sym *s;

	s = pb_elf_sym_at(d->elf, t);
	if (s)
		return mix(pb_elf_sym_key(d->elf, s), t - s->addr);
	sec = pb_elf_section_at(d->elf, t);
	if (sec)
		return mix(pb_hash64(sec->name, strlen(sec->name), PB_HASH64_SEED), t - sec->addr);
	return mix(TOK_ABS, t);
}

static uint64_t target_token(const struct pb_disasm *d, const struct pb_elf_sym *f, uint64_t t)
{
	long idx;

	if (t >= f->addr && t - f->addr < f->size) {
		idx = dec_index(d, t);
		if (idx >= 0)
			return mix(TOK_LOCAL, (uint64_t)idx);
		/* A target that is a dropped NOP or mid-instruction: count to the next instruction. */
		return mix(TOK_MID, t - f->addr);
	}
	return extern_token(d, t);
}

/* Do relative targets tg (from g) and tb (from b) name the same place? */
static bool same_target(struct pb_disasm *gd, const struct pb_elf_sym *g, uint64_t tg,
			struct pb_disasm *bd, const struct pb_elf_sym *b, uint64_t tb)
{
	bool gin = tg >= g->addr && tg - g->addr < g->size;
	bool bin = tb >= b->addr && tb - b->addr < b->size;

	/* Inside: the same offset is the same instruction, as every length matched so far. */
	if (gin || bin)
		return gin && bin && tg - g->addr == tb - b->addr;
	return extern_token(gd, tg) == extern_token(bd, tb);
}

/*
 * pb_disasm_same_code_fast(), which also says where it stopped: *stop is the offset of the first
 * instruction that differs (0 when the functions cannot be compared in lockstep at all). Every
 * instruction before it has the same length and opcode bytes in both.
 */
static bool same_prefix(struct pb_disasm *gd, const struct pb_elf_sym *g, struct pb_disasm *bd,
			const struct pb_elf_sym *b, size_t *stop)
{
	const uint8_t *gc, *bc, *gp, *bp;
	size_t gl, bl, off = 0, i, lo, hi;
	struct pb_x86_insn xg, xb;
	uint64_t vg, vb;
	bool addr_g, addr_b;

	gc = pb_elf_func_code_window(gd->elf, g, &gl);
	bc = pb_elf_func_code_window(bd->elf, b, &bl);
	*stop = 0;
	if (!gc || !bc || gl != bl || gd->is64 != bd->is64)
		return false;
	/*
	 * Both streams in lockstep: the same lengths and field positions, equal bytes outside the
	 * position-dependent fields, and fields that reach the same symbol+offset. Any difference
	 * (a short jump against a near one, NOP padding) is left to the full comparison.
	 */
	while (off < gl) {
		gp = gc + off;
		bp = bc + off;
		if (pb_x86_decode(&xg, gp, gl - off, gd->is64)) {
			if (*gp != *bp || !pb_x86_decode(&xb, bp, bl - off, bd->is64))
				return *stop = off, false;
			off++;
			continue;
		}
		/*
		 * Only g is decoded: a length depends on prefixes, opcode, ModRM and SIB, never on
		 * the displacement or immediate values, so b's bytes equal outside those fields (checked
		 * below) decode to the same layout.
		 */
		xb = xg;
		lo = hi = 0;
		if (xg.rel_size) {
			vg = read_le(gp + xg.rel_off, xg.rel_size);
			vb = read_le(bp + xb.rel_off, xb.rel_size);
			if (!same_target(gd, g, g->addr + off + xg.len + (uint64_t)sign_extend(vg, xg.rel_size),
					 bd, b, b->addr + off + xb.len + (uint64_t)sign_extend(vb, xb.rel_size)))
				return *stop = off, false;
			lo = xg.rel_off, hi = lo + xg.rel_size;
		} else if (xg.disp_off) {
			vg = read_le(gp + xg.disp_off, 4);
			vb = read_le(bp + xb.disp_off, 4);
			if (xg.rip) {
				if (!same_target(gd, g, g->addr + off + xg.len + (uint64_t)sign_extend(vg, 4),
						 bd, b, b->addr + off + xb.len + (uint64_t)sign_extend(vb, 4)))
					return *stop = off, false;
				lo = xg.disp_off, hi = lo + 4u;
			} else {
				addr_g = looks_like_address(gd, vg);
				addr_b = looks_like_address(bd, vb);
				if (addr_g != addr_b || (addr_g && extern_token(gd, vg) != extern_token(bd, vb)))
					return *stop = off, false;
				if (addr_g)
					lo = xg.disp_off, hi = lo + 4u;
			}
		}
		if (xg.imm_size == 4) {
			vg = read_le(gp + xg.imm_off, 4);
			vb = read_le(bp + xb.imm_off, 4);
			addr_g = looks_like_address(gd, vg);
			addr_b = looks_like_address(bd, vb);
			if (addr_g != addr_b || (addr_g && extern_token(gd, vg) != extern_token(bd, vb)))
				return *stop = off, false;
			if (addr_g) {
				/* Both fields set aside: compare the bytes around them one by one. */
				for (i = 0; i < xg.len; i++)
					if ((i < lo || i >= hi) && (i < xg.imm_off || i >= xg.imm_off + 4u) &&
					    gp[i] != bp[i])
						return *stop = off, false;
				off += xg.len;
				continue;
			}
		}
		if (memcmp(gp, bp, lo ? lo : xg.len) != 0 ||
		    (lo && memcmp(gp + hi, bp + hi, xg.len - hi) != 0))
			return *stop = off, false;
		off += xg.len;
	}
	return true;
}

bool pb_disasm_same_code_fast(struct pb_disasm *gd, const struct pb_elf_sym *g,
			      struct pb_disasm *bd, const struct pb_elf_sym *b)
{
	size_t stop;

	return same_prefix(gd, g, bd, b, &stop);
}

/* Resolve the targets of d->dec[0..n) into out. */
static void finish(struct pb_disasm *d, const struct pb_elf_sym *f, size_t n, struct pb_norm *out)
{
	uint64_t h;
	size_t i;
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
}

/*
 * The next loose token of code[0..len) from *off on, as decode_fast() makes them (NOPs skipped);
 * false at the end.
 */
static bool next_loose(const uint8_t *code, size_t len, size_t *off, bool is64, uint64_t *tok)
{
	struct pb_x86_insn x;

	while (code && *off < len) {
		if (pb_x86_decode(&x, code + *off, len - *off, is64)) {
			*tok = mix(TOK_BAD_BYTE, code[*off]);
			(*off)++;
			return true;
		}
		*off += x.len;
		if (!x.nop) {
			*tok = fast_loose(&x);
			return true;
		}
	}
	return false;
}

/*
 * Are the loose streams of g and b equal? Decoded in lockstep from offset `from` in both (where
 * their instructions so far were found alike) up to the first difference.
 */
static bool same_loose_fast(struct pb_disasm *gd, const struct pb_elf_sym *g, struct pb_disasm *bd,
			    const struct pb_elf_sym *b, size_t from)
{
	const uint8_t *gc, *bc;
	size_t gl, bl, go = from, bo = from;
	struct pb_x86_insn x;
	uint64_t tg, tb;
	bool more_g, more_b;

	gc = pb_elf_func_code_window(gd->elf, g, &gl);
	bc = pb_elf_func_code_window(bd->elf, b, &bl);
	for (;;) {
		if (gc && go < gl && !pb_x86_decode(&x, gc + go, gl - go, gd->is64)) {
			/*
			 * The same bytes in b give b's stream the same token (or none, a NOP): both pass
			 * over it, b undecoded. Most instructions of a changed function are like that;
			 * the others (a moved call's displacement) are decoded on each side.
			 */
			if (bc && gd->is64 == bd->is64 && bo < bl && x.len <= bl - bo &&
			    memcmp(gc + go, bc + bo, x.len) == 0) {
				go += x.len;
				bo += x.len;
				continue;
			}
			go += x.len;
			if (x.nop)
				continue; /* no token: g's next instruction meets b's same one */
			more_g = true;
			tg = fast_loose(&x);
		} else {
			more_g = next_loose(gc, gl, &go, gd->is64, &tg); /* the end, or a bad byte */
		}
		more_b = next_loose(bc, bl, &bo, bd->is64, &tb);
		if (more_g != more_b || (more_g && tg != tb))
			return false;
		if (!more_g)
			return true;
	}
}

enum pb_code_class pb_disasm_compare_fast(struct pb_disasm *gd, const struct pb_elf_sym *g,
					  struct pb_disasm *bd, const struct pb_elf_sym *b)
{
	size_t n, i, stop;
	uint64_t hg, hb;
	int k;

	/* Alike in lockstep: strict-equal, without storing anything. */
	if (same_prefix(gd, g, bd, b, &stop))
		return PB_CODE_STRICT_EQUAL;
	/*
	 * A strict token hashes what its loose token does (the opcode bytes, or the branch kind and
	 * condition) and more: streams whose loose tokens differ differ strictly too. Most changed
	 * functions differ in a mnemonic early, so they are told apart before anything is stored or
	 * a target symbolized; the instructions found alike above have equal loose tokens already.
	 */
	if (!same_loose_fast(gd, g, bd, b, stop))
		return PB_CODE_CHANGED;
	decode_fast_both(gd, g, bd, b);
	n = gd->n_dec;
	if (bd->n_dec != n)
		return PB_CODE_CHANGED; /* not reached: equal loose streams have equal lengths */
	for (i = 0; i < n; i++) {
		hg = gd->dec[i].strict;
		for (k = 0; k < gd->dec[i].n_targets; k++)
			hg = mix(hg, target_token(gd, g, gd->dec[i].target[k]));
		hb = bd->dec[i].strict;
		for (k = 0; k < bd->dec[i].n_targets; k++)
			hb = mix(hb, target_token(bd, b, bd->dec[i].target[k]));
		if (hg != hb)
			return PB_CODE_LOOSE_EQUAL;
	}
	return PB_CODE_STRICT_EQUAL;
}

int pb_disasm_normalize(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_norm *out)
{
	finish(d, f, decode(d, f), out);
	return 0;
}

int pb_disasm_normalize_fast(struct pb_disasm *d, const struct pb_elf_sym *f, struct pb_norm *out)
{
	finish(d, f, decode_fast(d, f), out);
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
	code = pb_elf_func_code_window(d->elf, f, &len);
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
	/* Most are empty (every function of a diff has two): nothing to free or clear. */
	if (!b->jcc && !b->loops && !b->n_branches && !b->n_back_edges)
		return;
	free(b->jcc);
	free(b->loops);
	memset(b, 0, sizeof(*b));
}
