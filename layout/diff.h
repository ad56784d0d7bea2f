/* diff.h: a good and a bad build compared: which functions moved, which changed, and what shifted the hot code. */
#ifndef PB_LAYOUT_DIFF_H
#define PB_LAYOUT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/schema.h"
#include "layout/disasm.h"
#include "layout/layout.h"
#include "layout/placement.h"

#define PB_LAYOUT_DIFF_SCHEMA "placebisect.layout-diff/1"

/* The keys, types and ranges a layout diff document promises (core/schema.h). */
extern const struct pb_schema pb_layout_diff_schema;

enum pb_diff_class {
	PB_DIFF_SAME,    /* same address, same code */
	PB_DIFF_MOVED,   /* another address, same code */
	PB_DIFF_CHANGED, /* the code differs (moved or not) */
	PB_DIFF_ADDED,   /* only in the bad build */
	PB_DIFF_REMOVED, /* only in the good build */
};

struct pb_diff_func {
	const struct pb_elf_sym *good, *bad; /* NULL on the side where it does not exist */
	enum pb_diff_class cls;
	enum pb_code_class code;            /* for matched functions */
	bool hot;                           /* hot in either build */
	/*
	 * [0] good, [1] bad: the branch checks of a hot function when the diff has code checks, else
	 * NULL (owned). Placements are not kept: pb_diff_func_places() computes them.
	 */
	struct pb_branches *br;
};

struct pb_diff_summary {
	size_t matched;
	size_t same_address;    /* same address and strict-equal code */
	size_t moved;           /* matched functions at another address (any code) */
	size_t same_code_moved; /* moved with strict-equal code */
	size_t code_changed;    /* matched functions whose code is not strict-equal */
	size_t loose_equal;     /* of those, the ones with the same mnemonics */
	size_t added, removed;
};

/* One allocated section laid out before the hot code, in both builds. */
struct pb_upstream_section {
	const char *name; /* from the good build */
	uint64_t good_size, bad_size;
	bool in_bad;
};

/* A function laid out before the hot code whose size differs between the builds. */
struct pb_upstream_func {
	const char *name;
	uint64_t good_size, bad_size; /* 0 on the side where it does not exist */
};

#define PB_UPSTREAM_MAX_FUNCS 20

/* What moved the hot code: the size change of everything laid out before it. */
struct pb_upstream {
	bool valid;                 /* both builds have an explicit hot set (not "all functions") */
	const char *section;        /* section of the first hot function (good build) */
	uint64_t good_start, bad_start; /* address of the first hot function */
	uint64_t good_offset, bad_offset; /* ... relative to its section's start */
	struct pb_upstream_section *sections; /* allocated sections before it, in address order */
	size_t n_sections;
	uint64_t good_before, bad_before; /* bytes of functions in that section before the hot code */
	uint64_t good_cold, bad_cold;     /* ... of which ".cold" parts (GNU .text.unlikely) */
	struct pb_upstream_func *funcs;   /* those that grew or shrank, largest change first */
	size_t n_funcs;                   /* at most PB_UPSTREAM_MAX_FUNCS */
};

struct pb_layout_diff {
	struct pb_layout *good, *bad;
	struct pb_diff_func *funcs; /* matched in good's address order, then added functions */
	size_t n_funcs;
	size_t *hot;                /* indices into funcs of the hot functions, by good address */
	size_t n_hot;
	struct pb_diff_summary sum;
	struct pb_upstream up;
	bool code_checks;           /* x86 code on both sides */
};

/*
 * Compare the binaries at `good` and `bad`. Functions are matched by name without clone suffixes
 * (duplicate local names by order and size) and classified with normalized code (disasm.h): hot
 * functions with capstone, the others with the table decoder (pb_disasm_normalize_fast), which
 * keeps a diff of two 100 MB builds under a second; for non-x86 binaries matched functions are
 * compared byte for byte. The hot set is taken from `o` as
 * for pb_layout_open() in each build; a --hot name found in neither build is an error. *out is
 * owned by the caller (pb_layout_diff_free). Returns 0 or -1.
 */
int pb_layout_diff_new(struct pb_layout_diff **out, const char *good, const char *bad,
		       const struct pb_layout_opts *o);
/* Free everything pb_layout_diff_new() returned (both layouts included). Accepts NULL. */
void pb_layout_diff_free(struct pb_layout_diff *d);

/* The placement of f in each build (zeroed on a side where it does not exist). */
void pb_diff_func_places(const struct pb_layout_diff *d, const struct pb_diff_func *f,
			 struct pb_place *good, struct pb_place *bad);

/* Write the placebisect.layout-diff/1 document (DESIGN.md "Result files"). */
void pb_layout_diff_write_json(const struct pb_layout_diff *d, struct pb_jsonw *w);

/* Human tables: summary counts, hot functions old -> new, footprint good vs bad, upstream shift. */
void pb_layout_diff_write_text(const struct pb_layout_diff *d, struct pb_buf *out);

#endif
