/* placement.h: where a function sits relative to cache lines, pages and L1i sets, and a hot set's footprint. */
#ifndef PB_LAYOUT_PLACEMENT_H
#define PB_LAYOUT_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout/elf.h"

/* An L1 instruction cache geometry. sets = size / (ways * line). */
struct pb_l1i {
	uint64_t size;
	uint32_t ways, line, sets;
	const char *source; /* "--l1i", "host" (sysfs) or "default" */
};

#define PB_L1I_DEFAULT_SPEC "32768,8,64"

/*
 * Parse "SIZE,WAYS,LINE" (SIZE may end in K or KiB: "32K,8,64"). LINE and the resulting number of
 * sets must be powers of two. `what` names the setting in messages ("--l1i"). Returns 0 or -1
 * (class PB_EXIT_USAGE) with a message giving the expected form.
 */
int pb_l1i_parse(struct pb_l1i *g, const char *spec, const char *what);

/*
 * The host's L1i geometry from /sys/devices/system/cpu/cpu0/cache/indexN (level 1, type
 * Instruction); the default 32768,8,64 when sysfs has none. `sysfs_root` replaces
 * "/sys/devices/system/cpu/cpu0/cache" (for tests); NULL for the real one. Never fails.
 */
void pb_l1i_host(struct pb_l1i *g, const char *sysfs_root);

/* The placement of one function. */
struct pb_place {
	uint64_t addr, size;
	uint64_t align;        /* largest power of two dividing addr, capped at 4096 */
	uint32_t line_offset;  /* addr % line */
	uint64_t cache_lines;  /* lines of g->line bytes spanned by [addr, addr+size); 0 when size 0 */
	uint64_t pages;        /* 4 KiB pages spanned */
	uint64_t pages_2m;     /* 2 MiB pages spanned */
	uint32_t set_first, set_last; /* L1i set of the first and last byte */
};

/* Compute the placement of [addr, addr+size) for geometry g. */
void pb_place_compute(struct pb_place *p, uint64_t addr, uint64_t size, const struct pb_l1i *g);

/* A set of functions' combined footprint (distinct lines and pages, L1i set pressure). */
struct pb_footprint {
	size_t functions;
	uint64_t bytes;
	uint64_t cache_lines, pages, pages_2m; /* distinct */
	uint32_t l1i_max_ways;   /* the most distinct lines that map to one L1i set */
	uint32_t sets_over_ways; /* sets holding more lines than the cache has ways */
	uint32_t *set_lines;     /* lines per set, g->sets entries (owned) */
	uint32_t n_sets;
};

/*
 * Compute the footprint of functions `f[0..n)` (each a pointer into one pb_elf) for geometry g.
 * Release with pb_footprint_release().
 */
void pb_footprint_compute(struct pb_footprint *fp, const struct pb_elf_sym *const *f, size_t n,
			  const struct pb_l1i *g);
/* Free fp->set_lines and zero the footprint. */
void pb_footprint_release(struct pb_footprint *fp);

#endif
