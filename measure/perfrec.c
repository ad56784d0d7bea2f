/* perfrec.c: the sample record layout of perf_event_open(2), read field by field with bounds checked. */
#include "measure/perfrec.h"

#include <string.h>

#include <linux/perf_event.h>

/* A cursor over one record: every read is checked against the end. */
struct cur {
	const unsigned char *p;
	size_t left;
};

static int take64(struct cur *c, uint64_t *v)
{
	if (c->left < 8)
		return -1;
	memcpy(v, c->p, 8);
	c->p += 8;
	c->left -= 8;
	return 0;
}

static int skip(struct cur *c, uint64_t n)
{
	if (n > c->left)
		return -1;
	c->p += n;
	c->left -= (size_t)n;
	return 0;
}

int pb_perfrec_parse_sample(struct pb_perfrec_sample *out, const unsigned char *rec, size_t size,
			    uint64_t sample_type, uint64_t regs_mask)
{
	const uint64_t known = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN |
			       PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	struct cur c;
	uint64_t v, bit;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if ((sample_type & ~known) || size < sizeof(struct perf_event_header) ||
	    (regs_mask >> PB_PERFREC_MAX_REGS))
		return -1;
	c.p = rec + sizeof(struct perf_event_header);
	c.left = size - sizeof(struct perf_event_header);
	/* The fields come in the order of enum perf_event_sample_format's bits. */
	if ((sample_type & PERF_SAMPLE_IP) && take64(&c, &out->ip))
		return -1;
	if (sample_type & PERF_SAMPLE_TID) {
		if (take64(&c, &v))
			return -1;
		out->pid = (uint32_t)v;
		out->tid = (uint32_t)(v >> 32);
	}
	if ((sample_type & PERF_SAMPLE_TIME) && take64(&c, &out->time))
		return -1;
	if (sample_type & PERF_SAMPLE_CALLCHAIN) {
		if (take64(&c, &out->nr) || out->nr > c.left / 8)
			return -1;
		out->chain = c.p;
		skip(&c, out->nr * 8);
	}
	if (sample_type & PERF_SAMPLE_REGS_USER) {
		if (take64(&c, &out->abi))
			return -1;
		/* No registers follow when the task had no user state (abi NONE). */
		if (out->abi != PERF_SAMPLE_REGS_ABI_NONE)
			for (i = 0, bit = 1; i < PB_PERFREC_MAX_REGS; i++, bit <<= 1)
				if ((regs_mask & bit) && take64(&c, &out->regs[i]))
					return -1;
	}
	if (sample_type & PERF_SAMPLE_STACK_USER) {
		uint64_t asked;

		if (take64(&c, &asked))
			return -1;
		/* size 0: no stack and no dyn_size (a kernel thread, or nothing could be copied). */
		if (asked) {
			if (asked > c.left)
				return -1;
			out->stack = c.p;
			skip(&c, asked);
			if (take64(&c, &v))
				return -1;
			/* dyn_size: the part actually copied; more than was reserved is a lie. */
			out->stack_size = v <= asked ? v : 0;
			if (v > asked)
				return -1;
		}
	}
	return 0;
}

void pb_perfrec_dwarf_regs(const struct pb_perfrec_sample *s, uint64_t *dwarf)
{
	/* DWARF register n ← perf register map[n] (x86-64 psABI figure 3.36). */
	static const unsigned char map[PB_PERFREC_DWARF_REGS] = {
		0 /* AX */, 3 /* DX */, 2 /* CX */, 1 /* BX */, 4 /* SI */, 5 /* DI */, 6 /* BP */,
		7 /* SP */, 16, 17, 18, 19, 20, 21, 22, 23 /* R8-R15 */, 8 /* IP */,
	};
	unsigned i;

	for (i = 0; i < PB_PERFREC_DWARF_REGS; i++)
		dwarf[i] = s->regs[map[i]];
}
