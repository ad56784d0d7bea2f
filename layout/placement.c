/* placement.c: L1i geometry (flag or sysfs), per-function line/page/set placement, hot footprints. */
#include "layout/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

static bool is_pow2(uint64_t v)
{
	return v && (v & (v - 1)) == 0;
}

/* "32768", "32K", "32KiB", "1M" -> bytes. */
static int parse_size(const char *s, size_t len, uint64_t *out)
{
	char num[32];
	uint64_t mult = 1;
	int64_t v;

	if (len >= 3 && memcmp(s + len - 3, "KiB", 3) == 0)
		len -= 3, mult = 1024;
	else if (len >= 3 && memcmp(s + len - 3, "MiB", 3) == 0)
		len -= 3, mult = 1024 * 1024;
	else if (len >= 1 && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		len -= 1, mult = 1024;
	else if (len >= 1 && s[len - 1] == 'M')
		len -= 1, mult = 1024 * 1024;
	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	if (pb_parse_i64(num, 1, INT64_C(1) << 40, &v))
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

int pb_l1i_parse(struct pb_l1i *g, const char *spec, const char *what)
{
	const char *c1 = strchr(spec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	uint64_t size, ways, line;

	if (!c1 || !c2 || strchr(c2 + 1, ',') || parse_size(spec, (size_t)(c1 - spec), &size) ||
	    parse_size(c1 + 1, (size_t)(c2 - c1 - 1), &ways) ||
	    parse_size(c2 + 1, strlen(c2 + 1), &line))
		return pb_error("%s: expected SIZE,WAYS,LINE in bytes (e.g. %s or 32K,8,64), got '%s'",
				what, PB_L1I_DEFAULT_SPEC, spec);
	if (!is_pow2(line) || line < 4 || line > 4096)
		return pb_error("%s '%s': the line size must be a power of two from 4 to 4096, got %llu",
				what, spec, (unsigned long long)line);
	if (ways > 1024 || size % (ways * line) || !is_pow2(size / (ways * line)))
		return pb_error("%s '%s': SIZE / (WAYS * LINE) must be a whole power of two (the number "
				"of sets)", what, spec);
	g->size = size;
	g->ways = (uint32_t)ways;
	g->line = (uint32_t)line;
	g->sets = (uint32_t)(size / (ways * line));
	g->source = "--l1i";
	return 0;
}

/* One sysfs attribute, trimmed, into out. Returns 0 or -1. */
static int read_attr(const char *dir, const char *name, char *out, size_t size)
{
	char *path = pb_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	size_t n = 0;

	free(path);
	if (!f)
		return -1;
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return n ? 0 : -1;
}

void pb_l1i_host(struct pb_l1i *g, const char *sysfs_root)
{
	const char *root = sysfs_root ? sysfs_root : "/sys/devices/system/cpu/cpu0/cache";
	char level[16], type[32], size[32], ways[16], line[16], *dir, *spec;
	struct pb_l1i host;
	int i, found = 0;

	pb_l1i_parse(g, PB_L1I_DEFAULT_SPEC, "default");
	g->source = "default";
	for (i = 0; i < 16 && !found; i++) {
		dir = pb_xasprintf("%s/index%d", root, i);
		if (read_attr(dir, "level", level, sizeof(level)) == 0 && strcmp(level, "1") == 0 &&
		    read_attr(dir, "type", type, sizeof(type)) == 0 && strcmp(type, "Instruction") == 0 &&
		    read_attr(dir, "size", size, sizeof(size)) == 0 &&
		    read_attr(dir, "ways_of_associativity", ways, sizeof(ways)) == 0 &&
		    read_attr(dir, "coherency_line_size", line, sizeof(line)) == 0) {
			found = 1;
			spec = pb_xasprintf("%s,%s,%s", size, ways, line);
			/* A geometry we cannot use (odd sizes in a VM) keeps the default. */
			if (pb_l1i_parse(&host, spec, "sysfs") == 0) {
				*g = host;
				g->source = "host";
			}
			pb_error_clear();
			free(spec);
		}
		free(dir);
	}
}

void pb_place_compute(struct pb_place *p, uint64_t addr, uint64_t size, const struct pb_l1i *g)
{
	uint64_t last = size ? addr + size - 1 : addr;
	/* Lines and sets are powers of two (pb_l1i_parse checks): shifts and masks, not divisions. */
	unsigned ls = (unsigned)__builtin_ctz(g->line);
	uint64_t set_mask = g->sets - 1;

	memset(p, 0, sizeof(*p));
	p->addr = addr;
	p->size = size;
	p->align = addr ? addr & (~addr + 1) : 4096;
	if (p->align > 4096)
		p->align = 4096;
	p->line_offset = (uint32_t)(addr & (g->line - 1));
	if (size) {
		p->cache_lines = (last >> ls) - (addr >> ls) + 1;
		p->pages = (last >> 12) - (addr >> 12) + 1;
		p->pages_2m = (last >> 21) - (addr >> 21) + 1;
	}
	p->set_first = (uint32_t)((addr >> ls) & set_mask);
	p->set_last = (uint32_t)((last >> ls) & set_mask);
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct pb_elf_sym *a = *(const struct pb_elf_sym *const *)pa;
	const struct pb_elf_sym *b = *(const struct pb_elf_sym *const *)pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * Count the distinct units (addr / unit) covered by functions sorted by address: a sweep over the
 * union of their spans, calling back for each new unit. No sorting of lines: linear in functions.
 */
static uint64_t sweep(const struct pb_elf_sym *const *f, size_t n, uint64_t unit,
		      uint32_t *set_lines, uint32_t sets)
{
	uint64_t count = 0, next = 0, a, b, x;
	bool any = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f[i]->size)
			continue;
		a = f[i]->addr / unit;
		b = (f[i]->addr + f[i]->size - 1) / unit;
		if (any && a < next)
			a = next;
		if (any && a > b)
			continue;
		count += b - a + 1;
		for (x = a; set_lines && x <= b; x++)
			set_lines[x % sets]++;
		next = b + 1;
		any = true;
	}
	return count;
}

void pb_footprint_compute(struct pb_footprint *fp, const struct pb_elf_sym *const *f, size_t n,
			  const struct pb_l1i *g)
{
	const struct pb_elf_sym **sorted = NULL;
	size_t i;
	uint32_t s;

	memset(fp, 0, sizeof(*fp));
	fp->functions = n;
	for (i = 0; i < n; i++)
		fp->bytes += f[i]->size;
	/* Callers usually pass address order already; the sweep needs it. */
	for (i = 1; i < n && f[i - 1]->addr <= f[i]->addr; i++)
		;
	if (i < n) {
		sorted = pb_xcalloc(n, sizeof(*sorted));
		memcpy(sorted, f, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_addr);
		f = sorted;
	}
	fp->n_sets = g->sets;
	fp->set_lines = pb_xcalloc(g->sets, sizeof(*fp->set_lines));
	/* Each distinct line occupies one way of its set. */
	fp->cache_lines = sweep(f, n, g->line, fp->set_lines, g->sets);
	for (s = 0; s < g->sets; s++) {
		if (fp->set_lines[s] > fp->l1i_max_ways)
			fp->l1i_max_ways = fp->set_lines[s];
		if (fp->set_lines[s] > g->ways)
			fp->sets_over_ways++;
	}
	fp->pages = sweep(f, n, 4096, NULL, 0);
	fp->pages_2m = sweep(f, n, 2u << 20, NULL, 0);
	free(sorted);
}

void pb_footprint_release(struct pb_footprint *fp)
{
	free(fp->set_lines);
	memset(fp, 0, sizeof(*fp));
}
