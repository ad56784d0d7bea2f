/* x86len.c: x86 instruction lengths and displacement positions from opcode tables (no disassembler needed). */
#include "layout/x86len.h"

#include <string.h>

enum {
	F_MODRM = 1 << 0,
	F_I8 = 1 << 1,
	F_IZ = 1 << 2,   /* 16 or 32 bits by operand size (64 for REX.W B8-BF) */
	F_I16 = 1 << 3,
	F_REL8 = 1 << 4,
	F_RELZ = 1 << 5, /* 32 bits (16 with 66 in 32-bit mode) */
	F_MOFFS = 1 << 6,
	F_FAR = 1 << 7,  /* ptr16:32 */
	F_GROUP = 1 << 8, /* ModRM.reg selects the operation */
	F_TEST = 1 << 9,  /* F6/F7: an immediate only for /0 and /1 */
};

/*
 * The one-byte opcode map, as a constant expression so that the compiler makes the table below
 * (one load per instruction instead of a chain of comparisons).
 */
#define IN(op, lo, hi) ((op) >= (lo) && (op) <= (hi))
#define MAP0(op)                                                                                  \
	((op) < 0x40 ? (((op) & 7) <= 3 ? F_MODRM : ((op) & 7) == 4 ? F_I8 : ((op) & 7) == 5 ? F_IZ : 0) \
	 : (op) < 0x60 ? 0                                                                        \
	 : IN(op, 0x70, 0x7F) ? F_REL8                                                            \
	 : IN(op, 0x84, 0x8E) ? F_MODRM                                                           \
	 : IN(op, 0x90, 0x9F) ? ((op) == 0x9A ? F_FAR : 0)                                        \
	 : IN(op, 0xA0, 0xA3) ? F_MOFFS                                                           \
	 : IN(op, 0xB0, 0xB7) ? F_I8                                                              \
	 : IN(op, 0xB8, 0xBF) ? F_IZ                                                              \
	 : IN(op, 0xD8, 0xDF) ? F_MODRM | F_GROUP                                                 \
	 : IN(op, 0xE0, 0xE3) ? F_REL8                                                            \
	 : (op) == 0x62 || (op) == 0x63 || (op) == 0xC4 || (op) == 0xC5 ? F_MODRM                 \
	 : (op) == 0x68 ? F_IZ                                                                    \
	 : (op) == 0x69 ? F_MODRM | F_IZ                                                          \
	 : (op) == 0x6A || (op) == 0xA8 || (op) == 0xCD || (op) == 0xD4 || (op) == 0xD5 ||       \
	   IN(op, 0xE4, 0xE7) ? F_I8                                                              \
	 : (op) == 0x6B ? F_MODRM | F_I8                                                          \
	 : (op) == 0x80 || (op) == 0x82 || (op) == 0x83 || (op) == 0xC0 || (op) == 0xC1 ||       \
	   (op) == 0xC6 ? F_MODRM | F_I8 | F_GROUP                                                \
	 : (op) == 0x81 || (op) == 0xC7 ? F_MODRM | F_IZ | F_GROUP                                \
	 : (op) == 0x8F || IN(op, 0xD0, 0xD3) || (op) == 0xFE || (op) == 0xFF ? F_MODRM | F_GROUP \
	 : (op) == 0xA9 ? F_IZ                                                                    \
	 : (op) == 0xC2 || (op) == 0xCA ? F_I16                                                   \
	 : (op) == 0xC8 ? F_I16 | F_I8                                                            \
	 : (op) == 0xE8 || (op) == 0xE9 ? F_RELZ                                                  \
	 : (op) == 0xEA ? F_FAR                                                                   \
	 : (op) == 0xEB ? F_REL8                                                                  \
	 : (op) == 0xF6 || (op) == 0xF7 ? F_MODRM | F_GROUP | F_TEST                              \
	 : 0)
#define MAP0_4(op) MAP0(op), MAP0((op) + 1), MAP0((op) + 2), MAP0((op) + 3)
#define MAP0_16(op) MAP0_4(op), MAP0_4((op) + 4), MAP0_4((op) + 8), MAP0_4((op) + 12)
#define MAP0_64(op) MAP0_16(op), MAP0_16((op) + 16), MAP0_16((op) + 32), MAP0_16((op) + 48)

static const uint16_t map0_tab[256] = { MAP0_64(0x00), MAP0_64(0x40), MAP0_64(0x80), MAP0_64(0xC0) };

/* The 0F map. */
static unsigned map1(uint8_t op)
{
	if (op >= 0x80 && op <= 0x8F)
		return F_RELZ;
	/* UD1 (B9) and UD0 (FF) without ModRM, as capstone decodes them. */
	if ((op >= 0x04 && op <= 0x0F && op != 0x0D) || (op >= 0x30 && op <= 0x3F) || op == 0x77 ||
	    (op >= 0xC8 && op <= 0xCF) || op == 0xB9 || op == 0xFF)
		return 0;
	switch (op) {
	case 0xA0: case 0xA1: case 0xA2: case 0xA8: case 0xA9: case 0xAA:
		return 0;
	case 0x00: case 0x01: case 0x0D: case 0x18: case 0xAE: case 0xC7:
		return F_MODRM | F_GROUP;
	case 0x71: case 0x72: case 0x73: case 0xBA:
		return F_MODRM | F_I8 | F_GROUP;
	case 0x70: case 0xA4: case 0xAC: case 0xC2: case 0xC4: case 0xC5: case 0xC6:
		return F_MODRM | F_I8;
	default:
		return F_MODRM;
	}
}

/* Immediate-bearing opcodes of VEX/EVEX map 1 (the same as in the 0F map). */
static bool vex_map1_imm(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xC2 || (op >= 0xC4 && op <= 0xC6);
}

struct cur {
	const uint8_t *p, *end;
};

static int take(struct cur *c, uint8_t *b)
{
	if (c->p >= c->end)
		return -1;
	*b = *c->p++;
	return 0;
}

/* ModRM (and SIB, displacement); records a 32-bit displacement's position. */
static int modrm(struct cur *c, const uint8_t *start, bool is64, bool addr16, bool addr32,
		 uint8_t *reg, struct pb_x86_insn *o)
{
	uint8_t m, sib, mod, rm;
	size_t disp = 0;

	if (take(c, &m))
		return -1;
	mod = m >> 6;
	rm = m & 7;
	*reg = (m >> 3) & 7;
	if (mod == 3)
		return 0;
	if (addr16) {
		disp = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
	} else {
		if (rm == 4) {
			if (take(c, &sib))
				return -1;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 0 && rm == 5) {
			disp = 4;
			/* With 67 it is EIP-relative: not a RIP-relative address (as capstone says). */
			o->rip = is64 && !addr32;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
		if (disp == 4 && (mod == 0))
			o->disp_off = (uint8_t)(c->p - start);
	}
	if ((size_t)(c->end - c->p) < disp)
		return -1;
	c->p += disp;
	return 0;
}

/* Any instruction: every prefix, map and encoding. */
static int decode_full(struct pb_x86_insn *o, const uint8_t *p, size_t avail, bool is64)
{
	struct cur c = { p, p + (avail < 15 ? avail : 15) };
	uint8_t b, op = 0, reg = 0, map = 0, x1, rex = 0, vexmap = 0;
	bool opsize = false, addrsize = false, rep = false, repne = false, has_modrm;
	unsigned f;
	size_t imm = 0;

	memset(o, 0, sizeof(*o));
	/* Legacy prefixes and REX (a REX followed by another prefix is ignored, as by the CPU). */
	for (;;) {
		if (take(&c, &b))
			return -1;
		if (b == 0x66)
			opsize = true;
		else if (b == 0x67)
			addrsize = true;
		else if (b == 0xF3)
			rep = true;
		else if (b == 0xF2)
			repne = true;
		else if (b == 0xF0 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x26 || b == 0x64 ||
			 b == 0x65)
			;
		else if (is64 && (b & 0xF0) == 0x40) {
			rex = b;
			continue;
		} else
			break;
		rex = 0;
	}
	op = b;
	/* VEX (C4, C5), EVEX (62) and XOP (8F) carry the map in their payload. */
	if (op >= 0x60 && (op == 0xC4 || op == 0xC5 || op == 0x62 || op == 0x8F) && c.p < c.end &&
	    (is64 || (*c.p & 0xC0) == 0xC0) && (op != 0x8F || (*c.p & 0x1F) >= 8)) {
		if (take(&c, &x1))
			return -1;
		if (op == 0xC5) {
			vexmap = 1;
		} else if (op == 0x62) {
			vexmap = x1 & 7;
			if (take(&c, &b) || take(&c, &b))
				return -1;
		} else {
			vexmap = x1 & 0x1F;
			if (take(&c, &b))
				return -1;
		}
		map = (uint8_t)((op == 0x62 ? 0x20 : op == 0x8F ? 0x40 : 0x10) | vexmap);
		if (take(&c, &op))
			return -1;
		has_modrm = !(vexmap == 1 && op == 0x77 && map < 0x20);
		if (has_modrm && modrm(&c, p, is64, false, false, &reg, o))
			return -1;
		reg = (vexmap == 1 && op >= 0x71 && op <= 0x73) ? reg + 1 : 0;
		if ((vexmap == 1 && vex_map1_imm(op)) || vexmap == 3 || vexmap == 8)
			imm = 1;
		else if (vexmap == 0xA)
			imm = 4;
		goto immediate;
	}
	if (op == 0x0F) {
		if (take(&c, &op))
			return -1;
		if (op == 0x38 || op == 0x3A) {
			map = op == 0x38 ? 2 : 3;
			if (take(&c, &op) || modrm(&c, p, is64, addrsize && !is64, addrsize && is64, &reg, o))
				return -1;
			imm = map == 3;
			reg = 0;
			goto immediate;
		}
		if (op == 0x0F) { /* 3DNow!: ModRM, then the operation as an imm8 suffix */
			map = 4;
			if (modrm(&c, p, is64, addrsize && !is64, addrsize && is64, &reg, o))
				return -1;
			imm = 1;
			reg = 0;
			goto immediate;
		}
		map = 1;
		f = map1(op);
		if (op >= 0x20 && op <= 0x23) { /* mov to/from CR/DR: ModRM is always a register form */
			if (take(&c, &b))
				return -1;
			f &= ~(unsigned)F_MODRM;
		}
		if (f & F_RELZ) {
			o->branch = PB_X86_JCC;
			o->cond = op & 0x0F;
		}
	} else {
		f = map0_tab[op];
		if (!(f & (F_REL8 | F_RELZ))) {
			/* most instructions */
		} else if (op >= 0x70 && op <= 0x7F) {
			o->branch = PB_X86_JCC;
			o->cond = op & 0x0F;
		} else if (op == 0xEB || op == 0xE9) {
			o->branch = PB_X86_JMP;
		} else if (op == 0xE8) {
			o->branch = PB_X86_CALL;
		} else {
			o->branch = PB_X86_LOOP;
			o->cond = op - 0xE0;
		}
	}
	if ((f & F_MODRM) && modrm(&c, p, is64, addrsize && !is64, addrsize && is64, &reg, o))
		return -1;
	if (f & F_I8)
		imm += 1;
	if (f & F_I16)
		imm += 2;
	/* REX.W overrides 66: 32-bit immediates (64 for movabs). */
	if (f & F_IZ)
		imm += (rex & 8) ? (map == 0 && op >= 0xB8 && op <= 0xBF ? 8 : 4) : opsize ? 2 : 4;
	if ((f & F_TEST) && reg <= 1)
		imm += op == 0xF6 ? 1 : opsize && !(rex & 8) ? 2 : 4;
	if (f & F_MOFFS)
		imm += is64 ? (addrsize ? 4 : 8) : (addrsize ? 2 : 4);
	if (f & F_FAR)
		imm += opsize ? 4 : 6;
	if (f & (F_REL8 | F_RELZ)) {
		o->rel_off = (uint8_t)(c.p - p);
		/* 66 makes it rel16 (AMD; capstone decodes it so too, so both paths agree). */
		o->rel_size = (f & F_REL8) ? 1 : opsize && !(rex & 8) ? 2 : 4;
		if ((size_t)(c.end - c.p) < o->rel_size)
			return -1;
		c.p += o->rel_size;
	}
	if (!(f & F_GROUP))
		reg = 0;
	else
		reg++;
immediate:
	if (imm) {
		if ((size_t)(c.end - c.p) < imm)
			return -1;
		o->imm_off = (uint8_t)(c.p - p);
		o->imm_size = (uint8_t)imm;
		c.p += imm;
	}
	o->len = (uint8_t)(c.p - p);
	/* Mandatory prefixes select the SSE/VEX operation; in the one-byte map they are just prefixes. */
	o->opkey = (uint32_t)map << 16 | (uint32_t)op << 8 | (uint32_t)reg << 4 |
		   (map ? (uint32_t)(opsize | rep << 1 | repne << 2) : 0);
	/* 0F 19-1F are hint NOPs, except F3 0F 1E (endbr64, rdssp). */
	o->nop = (map == 0 && op == 0x90 && !rep && !(rex & 1)) ||
		 (map == 1 && op >= 0x19 && op <= 0x1F && !(op == 0x1E && rep));
	return 0;
}

/*
 * The common case first, as decode_full() decodes it: at most a REX prefix, then an opcode of
 * the one-byte map (no legacy prefix, no 0F escape, no VEX/EVEX/XOP). Anything else, or bytes that
 * run out, goes to decode_full(), so the result is always decode_full()'s.
 */
int pb_x86_decode(struct pb_x86_insn *o, const uint8_t *p, size_t avail, bool is64)
{
	size_t n = avail < 15 ? avail : 15, i = 0, disp, imm = 0, rel = 0;
	uint8_t op, rex = 0, m, mod, rm, reg = 0;
	unsigned f;

	if (!n)
		return -1;
	op = p[0];
	if (is64 && (op & 0xF0) == 0x40) {
		rex = op;
		if (n < 2)
			return decode_full(o, p, avail, is64);
		op = p[1];
		i = 1;
	}
	if (op == 0x0F || op == 0x66 || op == 0x67 || op == 0xF2 || op == 0xF3 || op == 0xF0 ||
	    op == 0x2E || op == 0x36 || op == 0x3E || op == 0x26 || op == 0x64 || op == 0x65 ||
	    op == 0x62 || op == 0xC4 || op == 0xC5 || op == 0x8F || (is64 && (op & 0xF0) == 0x40))
		return decode_full(o, p, avail, is64);
	i++;
	memset(o, 0, sizeof(*o));
	f = map0_tab[op];
	if (f & F_MODRM) {
		if (i >= n)
			return decode_full(o, p, avail, is64);
		m = p[i++];
		mod = m >> 6;
		rm = m & 7;
		reg = (m >> 3) & 7;
		if (mod != 3) {
			disp = 0;
			if (rm == 4) {
				if (i >= n)
					return decode_full(o, p, avail, is64);
				if (mod == 0 && (p[i] & 7) == 5)
					disp = 4;
				i++;
			}
			if (mod == 0 && rm == 5) {
				disp = 4;
				o->rip = is64;
			}
			if (mod == 1)
				disp = 1;
			else if (mod == 2)
				disp = 4;
			if (disp == 4 && mod == 0)
				o->disp_off = (uint8_t)i;
			if (n - i < disp)
				return decode_full(o, p, avail, is64);
			i += disp;
		}
	}
	if (f & F_I8)
		imm += 1;
	if (f & F_I16)
		imm += 2;
	if (f & F_IZ)
		imm += (rex & 8) && op >= 0xB8 && op <= 0xBF ? 8 : 4;
	if ((f & F_TEST) && reg <= 1)
		imm += op == 0xF6 ? 1 : 4;
	if (f & F_MOFFS)
		imm += is64 ? 8 : 4;
	if (f & F_FAR)
		imm += 6;
	if (f & (F_REL8 | F_RELZ)) {
		if (op >= 0x70 && op <= 0x7F) {
			o->branch = PB_X86_JCC;
			o->cond = op & 0x0F;
		} else if (op == 0xEB || op == 0xE9) {
			o->branch = PB_X86_JMP;
		} else if (op == 0xE8) {
			o->branch = PB_X86_CALL;
		} else {
			o->branch = PB_X86_LOOP;
			o->cond = op - 0xE0;
		}
		rel = (f & F_REL8) ? 1 : 4;
		o->rel_off = (uint8_t)i;
		o->rel_size = (uint8_t)rel;
		if (n - i < rel)
			return decode_full(o, p, avail, is64);
		i += rel;
	}
	reg = (f & F_GROUP) ? (uint8_t)(reg + 1) : 0;
	if (imm) {
		if (n - i < imm)
			return decode_full(o, p, avail, is64);
		o->imm_off = (uint8_t)i;
		o->imm_size = (uint8_t)imm;
		i += imm;
	}
	o->len = (uint8_t)i;
	o->opkey = (uint32_t)op << 8 | (uint32_t)reg << 4;
	o->nop = op == 0x90 && !(rex & 1);
	return 0;
}
