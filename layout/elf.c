/* elf.c: read sections, symbols, build-id and code of an ELF file with libelf, checking every field. */
#include "layout/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/input.h"
#include "core/log.h"
#include "core/util.h"

/* What the first bytes of the file say, checked before libelf sees it. */
struct raw_header {
	bool is64, big;
	uint16_t type, machine, shentsize;
	uint64_t shoff;
	uint64_t shnum, shstrndx; /* after extended numbering */
};

static uint64_t get_u(const unsigned char *p, size_t n, bool big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

static int fail_libelf(const char *path, const char *what)
{
	return pb_error("%s: %s: %s", path, what, elf_errmsg(-1));
}

/* Validate the ELF header and section header table position by hand, for precise messages. */
static int check_header(struct raw_header *h, int fd, const char *path, uint64_t fsize)
{
	unsigned char b[64], s0[64];
	size_t ehsize, want_shent;
	ssize_t got;
	uint64_t shnum, end;

	got = pread(fd, b, sizeof(b), 0);
	if (got < 0)
		return pb_error("%s: cannot read: %s", path, strerror(errno));
	if (got >= 8 && memcmp(b, "!<arch>\n", 8) == 0)
		return pb_error("%s: is an ar archive (a static library), not a linked binary; "
				"give the executable or shared object built from it", path);
	if (got < 4 || memcmp(b, "\177ELF", 4) != 0)
		return pb_error("%s: not an ELF file (no \\177ELF magic at offset 0)", path);
	if (got < 16)
		return pb_error("%s: truncated: %lld bytes, shorter than the ELF identification (16)",
				path, (long long)got);
	if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64)
		return pb_error("%s: bad EI_CLASS %u at offset 4 (expected 1 or 2)", path, b[EI_CLASS]);
	if (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB)
		return pb_error("%s: bad EI_DATA %u at offset 5 (expected 1 or 2)", path, b[EI_DATA]);
	h->is64 = b[EI_CLASS] == ELFCLASS64;
	h->big = b[EI_DATA] == ELFDATA2MSB;
	ehsize = h->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if ((uint64_t)got < ehsize)
		return pb_error("%s: truncated: %llu bytes, shorter than the ELF header (%zu)", path,
				(unsigned long long)fsize, ehsize);
	h->type = (uint16_t)get_u(b + 16, 2, h->big);
	h->machine = (uint16_t)get_u(b + 18, 2, h->big);
	if (h->is64) {
		h->shoff = get_u(b + 40, 8, h->big);
		h->shentsize = (uint16_t)get_u(b + 58, 2, h->big);
		shnum = get_u(b + 60, 2, h->big);
		h->shstrndx = get_u(b + 62, 2, h->big);
		want_shent = sizeof(Elf64_Shdr);
	} else {
		h->shoff = get_u(b + 32, 4, h->big);
		h->shentsize = (uint16_t)get_u(b + 46, 2, h->big);
		shnum = get_u(b + 48, 2, h->big);
		h->shstrndx = get_u(b + 50, 2, h->big);
		want_shent = sizeof(Elf32_Shdr);
	}
	if (h->type == ET_REL)
		return pb_error("%s: is a relocatable object (.o): functions have no final addresses; "
				"give the linked executable or shared object", path);
	if (h->type == ET_CORE)
		return pb_error("%s: is a core dump, not a binary", path);
	if (h->type != ET_EXEC && h->type != ET_DYN)
		return pb_error("%s: bad e_type %u (expected an executable or shared object)", path,
				h->type);
	if (h->shoff == 0)
		return pb_error("%s: has no section header table (e_shoff is 0); layout needs sections "
				"and symbols", path);
	if (h->shentsize != want_shent)
		return pb_error("%s: bad e_shentsize %u, expected %zu", path, h->shentsize, want_shent);
	if (h->shoff >= fsize || fsize - h->shoff < want_shent)
		return pb_error("%s: bad e_shoff 0x%llx: the section header table starts past the end "
				"of the file (%llu bytes); the file is truncated or corrupt", path,
				(unsigned long long)h->shoff, (unsigned long long)fsize);
	if (shnum == 0 || h->shstrndx == SHN_XINDEX) {
		/* Extended numbering: the real values live in section header 0. */
		if (pread(fd, s0, want_shent, (off_t)h->shoff) != (ssize_t)want_shent)
			return pb_error("%s: cannot read section header 0 at 0x%llx", path,
					(unsigned long long)h->shoff);
		if (shnum == 0)
			shnum = h->is64 ? get_u(s0 + 32, 8, h->big) : get_u(s0 + 20, 4, h->big);
		if (h->shstrndx == SHN_XINDEX)
			h->shstrndx = h->is64 ? get_u(s0 + 40, 4, h->big) : get_u(s0 + 24, 4, h->big);
	}
	if (shnum == 0)
		return pb_error("%s: the section header table is empty", path);
	if (shnum > (fsize - h->shoff) / want_shent) {
		end = h->shoff + shnum * want_shent;
		return pb_error("%s: bad e_shoff 0x%llx: the section header table (%llu entries of %zu "
				"bytes) ends at 0x%llx, past the end of the file (%llu bytes)", path,
				(unsigned long long)h->shoff, (unsigned long long)shnum, want_shent,
				shnum > UINT64_MAX / want_shent - h->shoff ? ~0ULL : (unsigned long long)end,
				(unsigned long long)fsize);
	}
	if (h->shstrndx == SHN_UNDEF || h->shstrndx >= shnum)
		return pb_error("%s: bad e_shstrndx %llu: the file has %llu sections, so section "
				"names cannot be read", path, (unsigned long long)h->shstrndx,
				(unsigned long long)shnum);
	h->shnum = shnum;
	return 0;
}

/* The whole contents of a section as libelf read it, checked against the header's size. */
static int section_data(const unsigned char **out, Elf_Scn *scn, const GElf_Shdr *sh,
			const char *path, size_t idx, const char *name)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	*out = NULL;
	if (!d)
		return pb_error("%s: section [%zu] '%s': cannot read its contents: %s", path, idx, name,
				elf_errmsg(-1));
	if (d->d_size != sh->sh_size || (!d->d_buf && d->d_size))
		return pb_error("%s: section [%zu] '%s': read %zu bytes, expected sh_size %llu", path, idx,
				name, d->d_size, (unsigned long long)sh->sh_size);
	*out = d->d_buf;
	return 0;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* .comment, kept; which linker wrote the file, from its strings (GCC and GNU ld leave none of theirs). */
static void read_linker(struct pb_elf *e, Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	if (!d || !d->d_buf)
		return;
	e->comment = d->d_buf;
	e->comment_len = d->d_size;
	if (memmem(d->d_buf, d->d_size, "LLD", 3))
		e->linker = "lld";
	else if (memmem(d->d_buf, d->d_size, "mold", 4))
		e->linker = "mold";
}

static void read_build_id(struct pb_elf *e, Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Nhdr nh;
	size_t off = 0, next, name_off, desc_off;

	/* A broken note is not worth refusing the binary for: it just has no build-id. */
	while (d && off < d->d_size && !e->build_id) {
		next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
		if (next == 0)
			break;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && nh.n_descsz > 0 &&
		    nh.n_descsz <= 64 && memcmp((char *)d->d_buf + name_off, "GNU", 4) == 0) {
			e->build_id = pb_xmalloc(2 * nh.n_descsz + 1);
			hex(e->build_id, (unsigned char *)d->d_buf + desc_off, nh.n_descsz);
		}
		off = next;
	}
}

static int cmp_sym(const void *pa, const void *pb)
{
	const struct pb_elf_sym *a = pa, *b = pb;
	int c;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	/* At one address: functions first, globals before locals, then by name, for stable output. */
	if (a->func != b->func)
		return a->func ? -1 : 1;
	if (a->local != b->local)
		return a->local ? 1 : -1;
	c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->size < b->size ? -1 : a->size > b->size;
}

/*
 * Sort e->syms like cmp_sym, in linear time: a radix sort of (address, index) on the 16-bit digits
 * that vary, then cmp_sym within each run of equal addresses (aliases; usually none). qsort on a
 * symbol table of 200k entries costs more than the rest of reading it.
 */
static void sort_syms(struct pb_elf *e)
{
	struct addr_idx {
		uint64_t addr;
		size_t idx;
	} *a, *b, *t;
	struct pb_elf_sym *out;
	size_t n = e->n_syms, i, j, *count;
	uint64_t vary = 0;
	unsigned shift;

	if (n < 2)
		return;
	a = pb_xcalloc(n, sizeof(*a));
	b = pb_xcalloc(n, sizeof(*b));
	count = pb_xcalloc(65536, sizeof(*count));
	for (i = 0; i < n; i++) {
		a[i].addr = e->syms[i].addr;
		a[i].idx = i;
		vary |= a[i].addr ^ a[0].addr;
	}
	for (shift = 0; shift < 64; shift += 16) {
		if (!((vary >> shift) & 0xffff))
			continue;
		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i].addr >> shift) & 0xffff]++;
		for (i = 0, j = 0; i < 65536; i++) {
			size_t c = count[i];

			count[i] = j;
			j += c;
		}
		for (i = 0; i < n; i++)
			b[count[(a[i].addr >> shift) & 0xffff]++] = a[i];
		t = a, a = b, b = t;
	}
	out = pb_xcalloc(n, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = e->syms[a[i].idx];
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && out[j].addr == out[i].addr; j++)
			;
		if (j - i > 1)
			qsort(out + i, j - i, sizeof(*out), cmp_sym);
	}
	free(e->syms);
	e->syms = out;
	free(a);
	free(b);
	free(count);
}

/* Check one symbol and append it to e->syms when it is a function or data object with a section. */
static int take_symbol(struct pb_elf *e, size_t *cap, const GElf_Sym *s, uint32_t shndx, size_t idx,
		       const char *strtab, size_t strsize, const char *tabname)
{
	const struct pb_elf_section *sec;
	int type = GELF_ST_TYPE(s->st_info);
	struct pb_elf_sym *out;
	const char *name;

	if (s->st_name >= strsize)
		return pb_error("%s: %s symbol %zu: st_name 0x%x is past the end of its string table "
				"(%zu bytes)", e->path, tabname, idx, (unsigned)s->st_name, strsize);
	name = strtab + s->st_name;
	if (type != STT_FUNC && type != STT_OBJECT && type != STT_GNU_IFUNC)
		return 0;
	if (shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON || !*name)
		return 0;
	if (shndx >= e->n_sections)
		return pb_error("%s: %s symbol %zu '%s': st_shndx %u, but the file has %zu sections",
				e->path, tabname, idx, name, (unsigned)shndx, e->n_sections);
	sec = &e->sections[shndx];
	if (!sec->alloc)
		return 0;
	if (s->st_size > UINT64_MAX - s->st_value)
		return pb_error("%s: %s symbol %zu '%s': st_value 0x%llx + st_size 0x%llx overflows",
				e->path, tabname, idx, name, (unsigned long long)s->st_value,
				(unsigned long long)s->st_size);
	if (s->st_value < sec->addr || s->st_value - sec->addr > sec->size ||
	    s->st_size > sec->size - (s->st_value - sec->addr))
		return pb_error("%s: %s symbol %zu '%s': [0x%llx, +0x%llx) lies outside its section "
				"'%s' [0x%llx, +0x%llx)", e->path, tabname, idx, name,
				(unsigned long long)s->st_value, (unsigned long long)s->st_size,
				sec->name, (unsigned long long)sec->addr, (unsigned long long)sec->size);
	pb_xgrow((void **)&e->syms, cap, e->n_syms + 1, sizeof(*e->syms));
	out = &e->syms[e->n_syms++];
	out->name = name;
	out->addr = s->st_value;
	out->size = s->st_size;
	out->section = shndx;
	out->func = type != STT_OBJECT;
	out->local = GELF_ST_BIND(s->st_info) == STB_LOCAL;
	return 0;
}

static int read_symbols(struct pb_elf *e, Elf *elf, size_t symidx, size_t xndxidx)
{
	const struct pb_elf_section *tab = &e->sections[symidx], *strsec;
	Elf_Scn *scn = elf_getscn(elf, symidx), *strscn;
	Elf_Data *d, *xd = NULL;
	GElf_Shdr sh, strsh;
	const unsigned char *strtab;
	size_t want = e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym), n, i, cap = 0;
	GElf_Sym sym;
	Elf32_Word xndx;
	uint32_t shndx;

	if (!scn || !gelf_getshdr(scn, &sh))
		return fail_libelf(e->path, "cannot read the symbol table's header");
	if (sh.sh_entsize != want)
		return pb_error("%s: section [%zu] '%s': sh_entsize %llu, expected %zu", e->path, symidx,
				tab->name, (unsigned long long)sh.sh_entsize, want);
	if (sh.sh_size % want)
		return pb_error("%s: section [%zu] '%s': sh_size %llu is not a multiple of sh_entsize %zu",
				e->path, symidx, tab->name, (unsigned long long)sh.sh_size, want);
	if (sh.sh_link == 0 || sh.sh_link >= e->n_sections ||
	    e->sections[sh.sh_link].type != SHT_STRTAB)
		return pb_error("%s: section [%zu] '%s': sh_link %u is not a string table", e->path,
				symidx, tab->name, (unsigned)sh.sh_link);
	strsec = &e->sections[sh.sh_link];
	strscn = elf_getscn(elf, sh.sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh))
		return fail_libelf(e->path, "cannot read the symbol string table's header");
	if (section_data(&strtab, strscn, &strsh, e->path, sh.sh_link, strsec->name))
		return -1;
	if (strsh.sh_size == 0 || strtab[strsh.sh_size - 1] != '\0')
		return pb_error("%s: section [%u] '%s': the string table does not end with a NUL byte",
				e->path, (unsigned)sh.sh_link, strsec->name);
	d = elf_getdata(scn, NULL);
	if (!d)
		return fail_libelf(e->path, "cannot read the symbol table");
	/* An extended index table belongs to this symbol table only if it says so. */
	if (xndxidx && e->sections[xndxidx].type == SHT_SYMTAB_SHNDX) {
		GElf_Shdr xsh;

		if (!gelf_getshdr(elf_getscn(elf, xndxidx), &xsh) || xsh.sh_link != symidx)
			xndxidx = 0;
	}
	if (xndxidx) {
		xd = elf_getdata(elf_getscn(elf, xndxidx), NULL);
		if (!xd)
			return fail_libelf(e->path, "cannot read SHT_SYMTAB_SHNDX");
	}
	n = sh.sh_size / want;
	for (i = 1; i < n; i++) {
		if (!gelf_getsymshndx(d, xd, (int)i, &sym, &xndx))
			return pb_error("%s: section [%zu] '%s': cannot read symbol %zu: %s", e->path,
					symidx, tab->name, i, elf_errmsg(-1));
		shndx = sym.st_shndx;
		if (shndx == SHN_XINDEX) {
			if (!xd)
				return pb_error("%s: %s symbol %zu: st_shndx is SHN_XINDEX but the file "
						"has no SHT_SYMTAB_SHNDX section", e->path, tab->name, i);
			shndx = xndx;
		}
		if (take_symbol(e, &cap, &sym, shndx, i, (const char *)strtab, strsh.sh_size,
				tab->name))
			return -1;
	}
	return 0;
}

static int read_sections(struct pb_elf *e, Elf *elf, const struct raw_header *h, uint64_t fsize,
			 size_t *symtab, size_t *dynsym, size_t *xndx, bool quiet)
{
	Elf_Scn *scn;
	GElf_Shdr sh, strsh;
	const unsigned char *names;
	struct pb_elf_section *s;
	size_t i;

	scn = elf_getscn(elf, h->shstrndx);
	if (!scn || !gelf_getshdr(scn, &strsh))
		return fail_libelf(e->path, "cannot read the section name table's header");
	if (strsh.sh_type != SHT_STRTAB)
		return pb_error("%s: bad e_shstrndx %llu: section [%llu] has type %u, not a string table",
				e->path, (unsigned long long)h->shstrndx,
				(unsigned long long)h->shstrndx, (unsigned)strsh.sh_type);
	if (strsh.sh_offset > fsize || strsh.sh_size > fsize - strsh.sh_offset)
		return pb_error("%s: section [%llu] (section names): sh_offset 0x%llx + sh_size 0x%llx is "
				"past the end of the file (%llu bytes)", e->path,
				(unsigned long long)h->shstrndx, (unsigned long long)strsh.sh_offset,
				(unsigned long long)strsh.sh_size, (unsigned long long)fsize);
	if (section_data(&names, scn, &strsh, e->path, h->shstrndx, "(section names)"))
		return -1;
	if (strsh.sh_size == 0 || names[strsh.sh_size - 1] != '\0')
		return pb_error("%s: the section name table does not end with a NUL byte", e->path);
	e->n_sections = h->shnum;
	e->sections = pb_xcalloc(h->shnum, sizeof(*e->sections));
	for (i = 0; i < h->shnum; i++) {
		s = &e->sections[i];
		scn = elf_getscn(elf, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return pb_error("%s: cannot read section header [%zu]: %s", e->path, i,
					elf_errmsg(-1));
		if (sh.sh_name >= strsh.sh_size)
			return pb_error("%s: section [%zu]: sh_name 0x%x is past the end of the section "
					"name table (%llu bytes)", e->path, i, (unsigned)sh.sh_name,
					(unsigned long long)strsh.sh_size);
		s->name = (const char *)names + sh.sh_name;
		s->offset = sh.sh_offset;
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->align = sh.sh_addralign;
		s->flags = sh.sh_flags;
		s->type = sh.sh_type;
		s->alloc = (sh.sh_flags & SHF_ALLOC) != 0;
		s->exec = (sh.sh_flags & SHF_EXECINSTR) != 0;
		if (i == 0)
			continue;
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > fsize || sh.sh_size > fsize - sh.sh_offset))
			return pb_error("%s: section [%zu] '%s': sh_offset 0x%llx + sh_size 0x%llx is past "
					"the end of the file (%llu bytes)", e->path, i, s->name,
					(unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, (unsigned long long)fsize);
		if (s->alloc && sh.sh_size > UINT64_MAX - sh.sh_addr)
			return pb_error("%s: section [%zu] '%s': sh_addr 0x%llx + sh_size 0x%llx overflows",
					e->path, i, s->name, (unsigned long long)sh.sh_addr,
					(unsigned long long)sh.sh_size);
		/* Code that is not in the file: every function in it would compare as empty. */
		if (sh.sh_type == SHT_NOBITS && s->exec && sh.sh_size && !quiet)
			pb_warn("%s: section '%s' is executable but has no bytes in the file (SHT_NOBITS): "
				"the code of its functions cannot be read or compared", e->path, s->name);
		if (sh.sh_type == SHT_SYMTAB && !*symtab)
			*symtab = i;
		else if (sh.sh_type == SHT_DYNSYM && !*dynsym)
			*dynsym = i;
		else if (sh.sh_type == SHT_SYMTAB_SHNDX && !*xndx)
			*xndx = i;
		else if (sh.sh_type == SHT_NOTE && !e->build_id)
			read_build_id(e, scn);
		if (strcmp(s->name, ".note.gnu.gold-version") == 0)
			e->linker = "gold";
		else if (strcmp(s->name, ".comment") == 0 && sh.sh_type == SHT_PROGBITS)
			read_linker(e, scn);
		/* Code is read only when asked for (pb_elf_func_code, pb_elf_text_hash). */
		s->has_code = s->exec && s->alloc && sh.sh_type == SHT_PROGBITS && sh.sh_size;
		s->hash_state = PB_HASH64_SEED ^ (size_t)s->size;
		if (!e->text_idx && strcmp(s->name, ".text") == 0)
			e->text_idx = (uint32_t)i;
	}
	return 0;
}

/* Index syms by address bucket so that a lookup searches a handful of entries, not all. */
static void build_buckets(struct pb_elf *e)
{
	uint64_t lo, span;
	size_t i, b;

	if (!e->n_syms)
		return;
	lo = e->syms[0].addr;
	span = e->syms[e->n_syms - 1].addr - lo;
	while (e->bucket_shift < 63 && (span >> e->bucket_shift) >= 2 * (uint64_t)e->n_syms)
		e->bucket_shift++;
	e->n_buckets = (size_t)(span >> e->bucket_shift) + 2;
	e->buckets = pb_xcalloc(e->n_buckets, sizeof(*e->buckets));
	/* buckets[b] = the first symbol whose bucket is >= b. */
	for (i = e->n_syms, b = e->n_buckets; b-- > 0;) {
		while (i > 0 && ((e->syms[i - 1].addr - lo) >> e->bucket_shift) >= b)
			i--;
		e->buckets[b] = (uint32_t)i;
	}
}

/*
 * The PT_LOAD segments. Only symbolizing sampled addresses needs them, so a program header table
 * libelf cannot read leaves none rather than refusing a binary whose sections are fine.
 */
static void read_segments(struct pb_elf *e, Elf *elf)
{
	GElf_Phdr ph;
	size_t n, i, cap = 0;

	if (elf_getphdrnum(elf, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		pb_xgrow((void **)&e->segments, &cap, e->n_segments + 1, sizeof(*e->segments));
		e->segments[e->n_segments].offset = ph.p_offset;
		e->segments[e->n_segments].vaddr = ph.p_vaddr;
		e->segments[e->n_segments].filesz = ph.p_filesz;
		e->segments[e->n_segments].exec = (ph.p_flags & PF_X) != 0;
		e->n_segments++;
	}
}

int pb_elf_offset_addr(const struct pb_elf *e, uint64_t off, uint64_t *addr)
{
	size_t i;

	for (i = 0; i < e->n_segments; i++)
		if (off >= e->segments[i].offset && off - e->segments[i].offset < e->segments[i].filesz) {
			*addr = off - e->segments[i].offset + e->segments[i].vaddr;
			return 0;
		}
	return -1;
}

static int open_elf(struct pb_elf **out, const char *path, bool warn_stripped)
{
	struct pb_elf *e = pb_xcalloc(1, sizeof(*e));
	struct raw_header h = { 0 };
	long long size = 0;
	Elf *elf = NULL;
	size_t symtab = 0, dynsym = 0, xndx = 0, n, i;
	int fd = -1, ret = -1;

	*out = NULL;
	e->fd = -1;
	e->path = pb_xstrdup(path);
	fd = pb_input_open(path, &size);
	if (fd < 0)
		goto out;
	if (check_header(&h, fd, path, (uint64_t)size))
		goto out;
	e->is64 = h.is64;
	e->big_endian = h.big;
	e->type = h.type;
	e->machine = h.machine;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pb_error_as(PB_EXIT_ENV, "libelf is too old for this program");
		goto out;
	}
	/* ELF_C_READ, not a mapping: a binary rewritten by a concurrent build cannot SIGBUS us. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		fail_libelf(path, "not a readable ELF file");
		goto out;
	}
	e->handle = elf;
	if (elf_kind(elf) != ELF_K_ELF) {
		pb_error("%s: not an ELF file", path);
		goto out;
	}
	/* libelf must read the header as our own check did. */
	if (elf_getshdrnum(elf, &n) != 0 || n != h.shnum) {
		pb_error("%s: inconsistent section count: %s", path, elf_errmsg(-1));
		goto out;
	}
	if (elf_getshdrstrndx(elf, &n) != 0 || n != h.shstrndx) {
		pb_error("%s: bad e_shstrndx: %s", path, elf_errmsg(-1));
		goto out;
	}
	if (read_sections(e, elf, &h, (uint64_t)size, &symtab, &dynsym, &xndx, !warn_stripped))
		goto out;
	if (!symtab && !dynsym) {
		pb_error("%s: has no symbol table (.symtab or .dynsym): function placement needs "
			 "symbols; rebuild without -s / strip", path);
		goto out;
	}
	if (!symtab) {
		e->from_dynsym = true;
		if (warn_stripped)
			pb_warn("%s is stripped (no .symtab): only its exported functions (.dynsym) "
				"are analysed; rebuild without -s / strip for all of them", path);
	}
	if (read_symbols(e, elf, symtab ? symtab : dynsym, symtab ? xndx : 0))
		goto out;
	sort_syms(e);
	read_segments(e, elf);
	e->funcs = pb_xcalloc(e->n_syms, sizeof(*e->funcs));
	for (i = 0; i < e->n_syms; i++) {
		/* Aliases (same address, same size, both functions) count once. */
		if (!e->syms[i].func)
			continue;
		if (e->n_funcs && e->funcs[e->n_funcs - 1].addr == e->syms[i].addr &&
		    e->funcs[e->n_funcs - 1].size == e->syms[i].size)
			continue;
		e->funcs[e->n_funcs++] = e->syms[i];
	}
	/* The descriptor stays open for code read later (pb_elf_func_code). */
	e->fd = fd;
	fd = -1;
	build_buckets(e);
	*out = e;
	e = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	pb_elf_free(e);
	return ret;
}

int pb_elf_open(struct pb_elf **out, const char *path)
{
	return open_elf(out, path, true);
}

int pb_elf_open_quiet(struct pb_elf **out, const char *path)
{
	return open_elf(out, path, false);
}

void pb_elf_free(struct pb_elf *e)
{
	if (!e)
		return;
	if (e->handle)
		elf_end(e->handle);
	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
	free(e->build_id);
	free(e->sections);
	free(e->funcs);
	free(e->syms);
	free(e->segments);
	free(e->buckets);
	free(e->keys);
	pb_elf_code_release(e);
	free(e);
}

const struct pb_elf_section *pb_elf_section_by_name(const struct pb_elf *e, const char *name)
{
	size_t i;

	for (i = 1; i < e->n_sections; i++)
		if (strcmp(e->sections[i].name, name) == 0)
			return &e->sections[i];
	return NULL;
}

const struct pb_elf_section *pb_elf_section_at(const struct pb_elf *e, uint64_t addr)
{
	const struct pb_elf_section *s;
	size_t i;

	for (i = 1; i < e->n_sections; i++) {
		s = &e->sections[i];
		if (s->alloc && addr >= s->addr && addr - s->addr < s->size)
			return s;
	}
	return NULL;
}

const struct pb_elf_sym *pb_elf_sym_at(const struct pb_elf *e, uint64_t addr)
{
	size_t lo = 0, hi = e->n_syms, mid, b;
	const struct pb_elf_sym *s;
	const struct pb_elf_section *sec;

	if (!e->n_syms || addr < e->syms[0].addr)
		return NULL;
	/* The first symbol above addr lies between the starts of addr's bucket and the next one. */
	b = (size_t)((addr - e->syms[0].addr) >> e->bucket_shift);
	if (b + 1 < e->n_buckets) {
		lo = e->buckets[b];
		hi = e->buckets[b + 1];
	} else {
		lo = e->buckets[e->n_buckets - 1];
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &e->syms[lo - 1];
	/* Prefer the first symbol at that address (the sort puts functions and globals first). */
	while (s > e->syms && s[-1].addr == s->addr)
		s--;
	if (addr - s->addr < s->size || s->addr == addr)
		return s;
	/* Not inside: the closest symbol below, but only within its section. */
	sec = &e->sections[s->section];
	return addr - sec->addr < sec->size ? s : NULL;
}

uint64_t pb_elf_sym_key(const struct pb_elf *e, const struct pb_elf_sym *s)
{
	uint64_t *keys = e->keys, k;
	size_t idx = SIZE_MAX, len;
	bool cold;

	if (s >= e->syms && s < e->syms + e->n_syms) {
		idx = (size_t)(s - e->syms);
		if (!keys) {
			keys = pb_xcalloc(e->n_syms, sizeof(*keys));
			((struct pb_elf *)e)->keys = keys;
		}
		if (keys[idx])
			return keys[idx];
	}
	len = pb_elf_base_name(s->name, &cold);
	k = pb_hash64(s->name, len, PB_HASH64_SEED) ^ (cold ? 0x5bd1e995ULL : 0);
	k |= 1; /* never 0, which marks "not computed" */
	if (idx != SIZE_MAX)
		keys[idx] = k;
	return k;
}

/* Read the contents of code section `idx` on first use. Returns 0 or -1 (warned, not recorded). */
static int load_code(const struct pb_elf *e, size_t idx)
{
	struct pb_elf_section *s = &e->sections[idx];
	Elf_Scn *scn = elf_getscn(e->handle, idx);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	if (!d || d->d_size != s->size || !d->d_buf) {
		pb_warn("%s: cannot read section '%s' (was the file rewritten?): %s; its functions "
			"compare as empty", e->path, s->name, elf_errmsg(-1));
		return -1;
	}
	s->data = d->d_buf;
	return 0;
}

const unsigned char *pb_elf_func_code(const struct pb_elf *e, const struct pb_elf_sym *f, size_t *len)
{
	struct pb_elf_section *s;

	*len = 0;
	if (f->section == PB_ELF_NO_SECTION || f->section >= e->n_sections)
		return NULL;
	s = &e->sections[f->section];
	if (!s->data && s->has_code && !s->load_failed && load_code(e, f->section))
		s->load_failed = true;
	if (!s->data)
		return NULL;
	/* Bounds were checked when the symbol was read. */
	*len = (size_t)f->size;
	return s->data + (f->addr - s->addr);
}

const unsigned char *pb_elf_section_raw(const struct pb_elf *e, size_t idx, size_t *len)
{
	Elf_Scn *scn;
	Elf_Data *d;

	*len = 0;
	if (idx == 0 || idx >= e->n_sections || e->sections[idx].type == SHT_NOBITS || !e->handle)
		return NULL;
	scn = elf_getscn(e->handle, idx);
	d = scn ? elf_rawdata(scn, NULL) : NULL;
	/* Bounds were checked when the section headers were read; a short read is a rewritten file. */
	if (!d || !d->d_buf || d->d_size != e->sections[idx].size)
		return NULL;
	*len = d->d_size;
	return d->d_buf;
}

const char *pb_elf_machine_name(uint16_t m)
{
	switch (m) {
	case EM_X86_64:
		return "x86-64";
	case EM_386:
		return "i386";
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	default:
		return "another machine";
	}
}

const char *pb_elf_sym_section(const struct pb_elf *e, const struct pb_elf_sym *s)
{
	if (s->section == PB_ELF_NO_SECTION || s->section >= e->n_sections)
		return "";
	return e->sections[s->section].name;
}

/* Length of a "." + digits suffix ending at `end` (0 if none). */
static size_t digits_suffix(const char *name, size_t end)
{
	size_t i = end;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == end || i == 0 || name[i - 1] != '.')
		return 0;
	return end - i + 1;
}

size_t pb_elf_base_name(const char *name, bool *cold)
{
	static const char *const words[] = { ".constprop", ".isra", ".part", ".lto_priv", ".llvm",
					      ".cold" };
	size_t len = strlen(name), d, w, wl;
	bool again = true;

	*cold = false;
	while (again) {
		again = false;
		d = digits_suffix(name, len);
		for (w = 0; w < PB_ARRAY_SIZE(words); w++) {
			wl = strlen(words[w]);
			/* ".cold" may stand alone; the others always carry a number. */
			if (d && len - d > wl && memcmp(name + len - d - wl, words[w], wl) == 0) {
				len -= d + wl;
				again = true;
			} else if (w == PB_ARRAY_SIZE(words) - 1 && len > wl &&
				   memcmp(name + len - wl, words[w], wl) == 0) {
				len -= wl;
				again = true;
			} else {
				continue;
			}
			if (w == PB_ARRAY_SIZE(words) - 1)
				*cold = true;
			break;
		}
	}
	return len;
}
