/* annotate.h: hot functions' code with per-instruction heat, source lines, cache-line and 32 B window boundaries, L1i sets, JCC marks and loops. */
#ifndef PB_LAYOUT_ANNOTATE_H
#define PB_LAYOUT_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json.h"
#include "layout/disasm.h"
#include "layout/dwarf.h"
#include "layout/elf.h"
#include "layout/placement.h"

#define PB_ANNOTATE_SCHEMA "placebisect.annotate/1"
#define PB_LOOPS_SCHEMA "placebisect.loops/1"

/* The cost of one instruction address (of the annotated object, as its ELF file has it). */
struct pb_heat {
	uint64_t addr;
	uint64_t v;      /* Ir (exact) or samples */
	uint64_t misses; /* I1 misses (exact backend); 0 for samples */
};

/* What to annotate; the caller owns every pointer. */
struct pb_ann_opts {
	struct pb_l1i l1i;           /* geometry for the L1i set of each line */
	const struct pb_heat *heat;  /* sorted by addr */
	size_t n_heat;
	const char *unit;            /* "Ir" or "samples"; NULL: no costs (functions named, nothing run) */
	bool has_misses;             /* heat carries I1 misses */
	uint64_t total;              /* the whole run's cost (every object): shares are of it */
	const char *const *names;    /* annotate exactly these functions (exact or without clone suffixes) */
	size_t n_names;
	double cover;                /* else the hottest functions covering this share of the object's cost */
	size_t max_funcs;            /* ... but at most this many (>= 1) */
};

/* A natural loop of a function's control-flow graph (back edges to one header, merged). */
struct pb_ann_loop {
	uint64_t head;          /* the header's first instruction */
	uint64_t lo, hi;        /* [lo, hi): from the body's lowest instruction to its highest's end */
	uint64_t bytes;         /* the body's instruction bytes (the range may hold other code) */
	size_t n_insns;
	size_t back_edges;
	uint64_t v, misses;     /* cost of the body's instructions (inner loops included) */
	uint64_t cache_lines;   /* distinct lines of l1i.line bytes the body's instructions touch */
	uint64_t windows;       /* distinct 32 B windows they touch */
	int parent;             /* index of the enclosing loop in the function's loops[], -1: none */
	int depth;              /* 1 for an outermost loop */
	const char *file;       /* the header's source file (owned by the annotation), NULL: unknown */
	unsigned line_lo, line_hi; /* the body's source lines in that file (0: unknown) */
};

/* One instruction of the listing. */
struct pb_ann_insn {
	struct pb_insn in;
	uint64_t v, misses;     /* its cost */
	const char *file;       /* source file (owned by the annotation) or NULL */
	unsigned line;
	uint32_t set;           /* L1i set of its first byte's line */
	bool new_line;          /* the first instruction starting in its 64 B (l1i.line) line */
	bool new_window;        /* the first instruction starting in its 32 B window */
	bool crosses_line;      /* its bytes span two lines */
	bool crosses_window;    /* its bytes span two 32 B windows */
	bool jcc;               /* a jump, call or return (with its fused compare) crossing or ending on a
				   32 B boundary: the JCC erratum's condition (the compare carries it too) */
	int loop;               /* innermost loop holding it (index into loops[]), -1: none */
};

struct pb_ann_func {
	const struct pb_elf_sym *sym; /* into the annotation's pb_elf */
	uint64_t v, misses;           /* the function's cost */
	bool pseudo;                  /* not a symbol: hot code no function symbol covers (a stripped
				     binary), named "[file+0xADDR]" */
	bool has_calls;               /* calls is known (an exact backend counted them) */
	uint64_t calls;               /* times it was called */
	struct pb_ann_insn *insns;
	size_t n_insns;
	struct pb_ann_loop *loops;    /* outer loops before the loops they hold, by header address */
	size_t n_loops;
};

struct pb_annotation {
	struct pb_elf *elf;
	struct pb_dwarf_lines *lines;
	struct pb_l1i l1i;
	const char *unit;
	bool has_misses;
	uint64_t total;      /* the run's cost */
	uint64_t object_v;   /* the annotated object's cost */
	uint64_t object_misses;
	struct pb_ann_func *funcs; /* hottest first */
	size_t n_funcs;
	bool no_lines;       /* the object has no DWARF line table */
	struct pb_elf_sym *pseudo; /* the hot regions outside every function symbol (owned) */
	size_t n_pseudo;
};

/*
 * Annotate the binary at `path` (x86 only: capstone): the hot functions (o->names, else the
 * hottest by o->heat covering o->cover of the object's cost, at most o->max_funcs) disassembled,
 * each instruction with its cost, source line (DWARF, libdw), 64 B line and 32 B window boundary,
 * L1i set and JCC-erratum mark, and the natural loops of each function. Hot code that no function
 * symbol covers (a stripped binary: .dynsym names only the exported functions) is listed as
 * regions that start at their first instruction with a cost, named "[file+0xADDR]". A name not in the binary
 * is an error with the closest name; heat that falls in no function is counted in the object's
 * cost only. Errors: an unreadable or non-x86 binary (PB_EXIT_USAGE). *out owned by the caller
 * (pb_annotation_free). Returns 0 or -1.
 */
int pb_annotation_new(struct pb_annotation **out, const char *path, const struct pb_ann_opts *o);
/* Accepts NULL. */
void pb_annotation_free(struct pb_annotation *a);

/*
 * The natural loops of one function's listing `in[0..n)` (the function spans [lo, hi)): blocks
 * split at branch targets and after jumps and returns, dominators, back edges (an edge to a block
 * that dominates its source), each header's loop the blocks that reach a back edge's source
 * without passing the header. *loops (owned by the caller, free()) gets them outer first by
 * header; loop_of[i] (n entries, caller's) the innermost loop of instruction i or -1. Only
 * head/lo/hi/bytes/n_insns/back_edges/parent/depth are filled. Returns the number of loops.
 */
size_t pb_loops_find(const struct pb_insn *in, size_t n, uint64_t lo, uint64_t hi,
		     struct pb_ann_loop **loops, int *loop_of);

/*
 * The listing as text, like perf annotate: per function a header (cost, share), then each
 * instruction with its share, cost, I1 misses, address, code and source line; a rule at every
 * 64 B line (with its L1i set) and a lighter one at every 32 B window; marks for JCC-erratum
 * sites, lines crossed, branch targets (symbol+offset) and loop membership; then the loops
 * table. `colour`: ANSI colours for heat and marks (a terminal). `min_share`: instructions below
 * this share of the function, outside any loop, are folded into "..." rows (0: all shown).
 */
void pb_annotation_write_text(const struct pb_annotation *a, bool colour, double min_share,
			      struct pb_buf *out);

/* The loops of every annotated function as a table ("time per loop"). */
void pb_annotation_write_loops_text(const struct pb_annotation *a, struct pb_buf *out);

/*
 * The placebisect.annotate/1 document: binary, unit, total, object{cost, i1_misses}, l1i{},
 * functions[]{name, addr, size, cost, share, i1_misses, calls (when known), insns[]{addr, size, bytes, asm, cost,
 * share, i1_misses, file, line, cache_line, set, window, new_line, new_window, crosses_line,
 * crosses_window, jcc, fused, kind, target, target_name, loop}, loops[]{...}}. With `loops_only`
 * the placebisect.loops/1 document: the same without insns[].
 */
void pb_annotation_write_json(const struct pb_annotation *a, bool loops_only, struct pb_jsonw *w);

/* "func+0x12" for addr (the symbol holding it, else the hex address) into out. */
void pb_annotation_sym_name(const struct pb_annotation *a, uint64_t addr, char *out, size_t size);

#endif
