/* objects.c: a program's shared libraries resolved like ld.so, and the object that holds the hot functions. */
#include "layout/objects.h"

#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <libgen.h>
#include <stdbool.h>
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

/* DT_NEEDED names and the RPATH/RUNPATH strings of the ELF file at path. 0, or -1 when not ELF. */
static int read_dynamic(const char *path, struct list *needed, char **rpath, char **runpath)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *data;
	const char *s;
	int fd, ret = -1;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pb_error_errno("cannot read %s", path);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		pb_error_as(PB_EXIT_USAGE, "%s: not an ELF file", path);
		goto out;
	}
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			if (!gelf_getdyn(data, (int)i, &dyn))
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH)
				continue;
			s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag == DT_NEEDED)
				list_add(needed, pb_xstrdup(s));
			else if (dyn.d_tag == DT_RPATH && !*rpath)
				*rpath = pb_xstrdup(s);
			else if (dyn.d_tag == DT_RUNPATH && !*runpath)
				*runpath = pb_xstrdup(s);
		}
	}
	ret = 0;
out:
	if (e)
		elf_end(e);
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

static bool is_elf(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
	close(fd);
	return ok;
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
