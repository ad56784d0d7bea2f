/* objects.c: a program's shared libraries resolved like ld.so, and the object that holds the hot functions. */
#include "layout/objects.h"

#include <fcntl.h>
#include <ftw.h>
#include <elf.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/elf.h"

/* At most this many files are looked at under a build's directory. */
#define MAX_SCAN 4096

static const char *const system_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					   "/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL };

struct list {
	char **v;
	size_t n, cap;
};

static void list_add(struct list *l, char *s)
{
	pb_xgrow((void **)&l->v, &l->cap, l->n + 2, sizeof(*l->v));
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static bool list_has(const struct list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void pb_objects_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* `dirs` (colon-separated) with $ORIGIN replaced, appended to l. */
static void add_dirs(struct list *l, const char *dirs, const char *origin)
{
	const char *p = dirs, *end;
	struct pb_buf b = PB_BUF_INIT;

	while (p && *p) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		pb_buf_reset(&b);
		for (const char *q = p; q < end;) {
			if (strncmp(q, "${ORIGIN}", 9) == 0) {
				pb_buf_puts(&b, origin);
				q += 9;
			} else if (strncmp(q, "$ORIGIN", 7) == 0) {
				pb_buf_puts(&b, origin);
				q += 7;
			} else {
				pb_buf_putc(&b, *q++);
			}
		}
		if (b.len)
			list_add(l, pb_xstrdup(b.data));
		p = *end ? end + 1 : end;
	}
	pb_buf_release(&b);
}

static bool is_elf(const char *path)
{
	unsigned char magic[4];
	struct stat st;
	int fd;
	bool ok;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	ok = read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
	close(fd);
	return ok;
}

/* pread exactly len bytes at off; 0 or -1. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -1;
}

/*
 * DT_NEEDED names and the RPATH/RUNPATH strings of the ELF file at path, from its PT_DYNAMIC
 * segment and the string table DT_STRTAB points to (mapped back to a file offset through the
 * PT_LOAD segments). Little-endian ELF32/ELF64 (the dynamic loader's own view, without libelf,
 * which only layout/elf.c includes). 0, or -1 when not such an ELF file.
 */
static int read_dynamic(const char *path, struct list *needed, char **rpath, char **runpath)
{
	unsigned char id[EI_NIDENT];
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	uint64_t dyn_off = 0, dyn_size = 0, strtab = 0, stroff = 0, strsz = 0;
	uint64_t *tags = NULL, *vals = NULL;
	size_t n_dyn = 0, i;
	char *str = NULL;
	bool is64;
	int fd, ret = -1;

	if (!is_elf(path))
		return pb_error_as(PB_EXIT_USAGE, "%s: not an ELF file", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pb_error_errno("cannot read %s", path);
	if (read_at(fd, id, sizeof(id), 0) || memcmp(id, ELFMAG, SELFMAG) != 0 ||
	    id[EI_DATA] != ELFDATA2LSB || (id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32)) {
		pb_error_as(PB_EXIT_USAGE, "%s: not a little-endian ELF file", path);
		goto out;
	}
	is64 = id[EI_CLASS] == ELFCLASS64;
	memset(&eh, 0, sizeof(eh));
	if (is64) {
		if (read_at(fd, &eh, sizeof(eh), 0))
			goto bad;
	} else {
		Elf32_Ehdr e32;

		if (read_at(fd, &e32, sizeof(e32), 0))
			goto bad;
		eh.e_phoff = e32.e_phoff;
		eh.e_phnum = e32.e_phnum;
	}
	if (eh.e_phnum == 0 || eh.e_phnum > 4096)
		goto bad;
	ph = pb_xcalloc(eh.e_phnum, sizeof(*ph));
	for (i = 0; i < eh.e_phnum; i++) {
		if (is64) {
			if (read_at(fd, &ph[i], sizeof(ph[i]), eh.e_phoff + i * sizeof(Elf64_Phdr)))
				goto bad;
		} else {
			Elf32_Phdr p32;

			if (read_at(fd, &p32, sizeof(p32), eh.e_phoff + i * sizeof(Elf32_Phdr)))
				goto bad;
			ph[i] = (Elf64_Phdr){ .p_type = p32.p_type, .p_offset = p32.p_offset,
					      .p_vaddr = p32.p_vaddr, .p_filesz = p32.p_filesz };
		}
		if (ph[i].p_type == PT_DYNAMIC) {
			dyn_off = ph[i].p_offset;
			dyn_size = ph[i].p_filesz;
		}
	}
	if (dyn_size == 0 || dyn_size > (1u << 24)) { /* static: needs nothing */
		ret = 0;
		goto out;
	}
	n_dyn = dyn_size / (is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn));
	tags = pb_xcalloc(n_dyn + 1, sizeof(*tags));
	vals = pb_xcalloc(n_dyn + 1, sizeof(*vals));
	for (i = 0; i < n_dyn; i++) {
		if (is64) {
			Elf64_Dyn d;

			if (read_at(fd, &d, sizeof(d), dyn_off + i * sizeof(d)))
				goto bad;
			tags[i] = (uint64_t)d.d_tag;
			vals[i] = d.d_un.d_val;
		} else {
			Elf32_Dyn d;

			if (read_at(fd, &d, sizeof(d), dyn_off + i * sizeof(d)))
				goto bad;
			tags[i] = (uint64_t)(uint32_t)d.d_tag;
			vals[i] = d.d_un.d_val;
		}
		if (tags[i] == DT_NULL)
			break;
		if (tags[i] == DT_STRTAB)
			strtab = vals[i];
		else if (tags[i] == DT_STRSZ)
			strsz = vals[i];
	}
	n_dyn = i;
	for (i = 0; i < eh.e_phnum && !stroff; i++)
		if (ph[i].p_type == PT_LOAD && strtab >= ph[i].p_vaddr &&
		    strtab < ph[i].p_vaddr + ph[i].p_filesz)
			stroff = strtab - ph[i].p_vaddr + ph[i].p_offset;
	if (!stroff || strsz == 0 || strsz > (1u << 24))
		goto bad;
	str = pb_xmalloc(strsz + 1);
	if (read_at(fd, str, strsz, stroff))
		goto bad;
	str[strsz] = '\0';
	for (i = 0; i < n_dyn; i++) {
		if (vals[i] >= strsz)
			continue;
		if (tags[i] == DT_NEEDED)
			list_add(needed, pb_xstrdup(str + vals[i]));
		else if (tags[i] == DT_RPATH && !*rpath)
			*rpath = pb_xstrdup(str + vals[i]);
		else if (tags[i] == DT_RUNPATH && !*runpath)
			*runpath = pb_xstrdup(str + vals[i]);
	}
	ret = 0;
	goto out;
bad:
	pb_error_as(PB_EXIT_USAGE, "%s: malformed ELF program headers or dynamic section", path);
out:
	free(ph);
	free(tags);
	free(vals);
	free(str);
	close(fd);
	return ret;
}

int pb_objects_needed(const char *exe, const char *ld_library_path, const char *extra_dir,
		      char ***out)
{
	struct list needed = { 0 }, dirs = { 0 }, found = { 0 };
	char *rpath = NULL, *runpath = NULL, *real, *origin;
	int ret = -1;

	*out = NULL;
	if (read_dynamic(exe, &needed, &rpath, &runpath))
		goto out;
	real = realpath(exe, NULL);
	origin = pb_xstrdup(dirname(real ? real : (char *)exe));
	free(real);
	if (rpath && !runpath)
		add_dirs(&dirs, rpath, origin);
	add_dirs(&dirs, ld_library_path, origin);
	add_dirs(&dirs, runpath, origin);
	if (extra_dir) {
		list_add(&dirs, pb_xstrdup(extra_dir));
		list_add(&dirs, pb_xasprintf("%s/lib", extra_dir));
	}
	for (size_t i = 0; system_dirs[i]; i++)
		list_add(&dirs, pb_xstrdup(system_dirs[i]));
	free(origin);
	for (size_t i = 0; i < needed.n; i++) {
		char *hit = NULL;

		if (strchr(needed.v[i], '/')) {
			hit = access(needed.v[i], R_OK) == 0 ? pb_xstrdup(needed.v[i]) : NULL;
		} else {
			for (size_t j = 0; !hit && j < dirs.n; j++) {
				hit = pb_xasprintf("%s/%s", dirs.v[j], needed.v[i]);
				if (access(hit, R_OK) != 0) {
					free(hit);
					hit = NULL;
				}
			}
		}
		if (hit) {
			char *real_hit = realpath(hit, NULL);

			if (real_hit) {
				free(hit);
				hit = real_hit;
			}
		}
		if (hit && !list_has(&found, hit))
			list_add(&found, hit);
		else
			free(hit);
	}
	*out = found.v ? found.v : pb_xcalloc(1, sizeof(char *));
	found.v = NULL;
	ret = 0;
out:
	pb_objects_free(needed.v);
	pb_objects_free(dirs.v);
	pb_objects_free(found.v);
	free(rpath);
	free(runpath);
	return ret;
}

static bool is_system(const char *path)
{
	return strncmp(path, "/lib", 4) == 0 || strncmp(path, "/usr/lib", 8) == 0;
}

static struct list *scan_out;

static int scan_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && S_ISREG(sb->st_mode) && is_elf(path) && !list_has(scan_out, path))
		list_add(scan_out, pb_xstrdup(path));
	return scan_out->n >= MAX_SCAN ? 1 : 0;
}

/* How many of the hot names e defines as functions. */
static size_t defined(const struct pb_elf *e, const char *const *hot, size_t n_hot)
{
	size_t k = 0;

	for (size_t i = 0; i < n_hot; i++)
		for (size_t j = 0; j < e->n_funcs; j++)
			if (strcmp(e->funcs[j].name, hot[i]) == 0) {
				k++;
				break;
			}
	return k;
}

static bool name_matches(const char *path, const char *want)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strcmp(base, want) == 0 || strcmp(path, want) == 0 ||
	       (strncmp(base, want, strlen(want)) == 0 && base[strlen(want)] == '.');
}

int pb_objects_locate(const struct pb_objects_query *q, char **out, size_t *n_found)
{
	struct list cands = { 0 };
	char **needed = NULL;
	bool bin_elf = is_elf(q->binary);
	size_t best_n = 0, i, k;
	const char *best = NULL;
	struct pb_buf names = PB_BUF_INIT;
	int ret = -1;

	*out = NULL;
	*n_found = 0;
	if (bin_elf) {
		list_add(&cands, pb_xstrdup(q->binary));
		if (pb_objects_needed(q->binary, q->ld_library_path, q->dir, &needed) == 0)
			for (i = 0; needed[i]; i++)
				if (!list_has(&cands, needed[i]))
					list_add(&cands, pb_xstrdup(needed[i]));
	}
	if (q->dir) {
		char *real_dir = realpath(q->dir, NULL);

		scan_out = &cands;
		nftw(real_dir ? real_dir : q->dir, scan_entry, 16, FTW_PHYS);
		free(real_dir);
		scan_out = NULL;
	}
	if (q->object) {
		for (i = 0; i < cands.n && !best; i++)
			if (name_matches(cands.v[i], q->object))
				best = cands.v[i];
		if (!best) {
			for (i = 0; i < cands.n; i++)
				pb_buf_printf(&names, "%s%s", i ? ", " : "", cands.v[i]);
			pb_error_as(PB_EXIT_USAGE, "--object %s: no such object among %s%s", q->object,
				    cands.n ? "the program's and the build's ELF files: " : "(none found)",
				    names.data ? names.data : "");
			goto out;
		}
	} else {
		for (i = 0; i < cands.n && q->n_hot; i++) {
			struct pb_elf *e = NULL;

			if (is_system(cands.v[i]) || pb_elf_open_quiet(&e, cands.v[i]))
				continue;
			k = defined(e, q->hot, q->n_hot);
			pb_elf_free(e);
			if (k > best_n) {
				best_n = k;
				best = cands.v[i];
			}
		}
		if (!best && bin_elf)
			best = q->binary;
		if (!best) {
			pb_error_as(PB_EXIT_USAGE, "%s is not an ELF file, and no ELF object of the build "
				    "defines the hot functions: name one with --object NAME", q->binary);
			goto out;
		}
	}
	*out = pb_xstrdup(best);
	*n_found = best_n;
	ret = 0;
out:
	pb_buf_release(&names);
	pb_objects_free(needed);
	pb_objects_free(cands.v);
	return ret;
}
