/* layout.h: one binary analysed: its hot set, every hot function's placement, footprint and branch checks. */
#ifndef PB_LAYOUT_LAYOUT_H
#define PB_LAYOUT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/schema.h"
#include "layout/disasm.h"
#include "layout/elf.h"
#include "layout/placement.h"

#define PB_LAYOUT_SCHEMA "placebisect.layout/1"

/* The keys, types and ranges a layout document promises (core/schema.h). */
extern const struct pb_schema pb_layout_schema;

/* Share of a profile's samples the hot set must cover. */
#define PB_LAYOUT_PROFILE_COVER 0.9

/* What to analyse; the caller owns every pointer. */
struct pb_layout_opts {
	const char *const *hot; /* --hot names (exact, or without clone suffixes) */
	size_t n_hot;
	const char *profile;    /* --profile FILE (placebisect.profile/1) */
	bool hot_elsewhere;     /* hot names may live in other objects (a profile of the whole
				   process: libc, ld.so): a name in neither build is not an error */
	struct pb_l1i l1i;      /* geometry (pb_l1i_parse or pb_l1i_host) */
};

enum pb_hot_source {
	PB_HOT_NAMES,   /* --hot */
	PB_HOT_PROFILE, /* --profile */
	PB_HOT_SECTION, /* members of .text.hot */
	PB_HOT_ALL,     /* every function */
};

/* A hot function; its placement is pb_place_compute(sym->addr, sym->size, &layout->l1i). */
struct pb_hot_func {
	const struct pb_elf_sym *sym; /* into elf->funcs */
	struct pb_branches *br;       /* owned; NULL unless layout->code_checks */
};

struct pb_layout {
	struct pb_elf *elf;
	struct pb_l1i l1i;
	enum pb_hot_source source;
	struct pb_hot_func *hot;      /* in address order */
	size_t n_hot;
	struct pb_footprint fp;       /* of the hot set */
	bool code_checks;             /* JCC/loop checks ran (x86 and an explicit hot set) */
	char **missing;               /* requested hot names absent from this binary (owned) */
	size_t n_missing;
};

/*
 * Read the profile at `path` and return the names of the smallest set of its functions, heaviest
 * first, that covers PB_LAYOUT_PROFILE_COVER of its samples. *names (and each name) is owned by
 * the caller; free with pb_layout_names_free(). Errors name the file and the key path. Returns 0
 * or -1.
 */
int pb_layout_profile_names(char ***names, size_t *n, const char *path);
/* Free `n` names and the array. Accepts NULL. */
void pb_layout_names_free(char **names, size_t n);

/*
 * Analyse the binary at `path`: read it (pb_elf_open), choose the hot set (--hot, else --profile,
 * else .text.hot members, else every function), place each hot function, compute the footprint and,
 * for x86 with an explicit hot set, the JCC-erratum and loop checks. `require_hot` makes a --hot
 * name that this binary lacks an error (with the closest name suggested); otherwise such names go
 * to ->missing. *out is owned by the caller (pb_layout_free). Returns 0 or -1.
 */
int pb_layout_open(struct pb_layout **out, const char *path, const struct pb_layout_opts *o,
		   bool require_hot);
/* Free everything pb_layout_open() returned (the pb_elf included). Accepts NULL. */
void pb_layout_free(struct pb_layout *l);

/* "--hot", "profile", ".text.hot", "all functions". */
const char *pb_layout_source_name(enum pb_hot_source s);

/* Write the placebisect.layout/1 document (DESIGN.md "Result files"). */
void pb_layout_write_json(const struct pb_layout *l, struct pb_jsonw *w);

/* Human tables: sections, hot functions with placement, footprint. */
void pb_layout_write_text(const struct pb_layout *l, struct pb_buf *out);

#endif
