/* debugfile.c: a stripped object's debug file, by build-id under /usr/lib/debug/.build-id or by .gnu_debuglink (CRC-checked). */
#include "layout/debugfile.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

const char *pb_debugfile_root(void)
{
	const char *root = getenv("PB_DEBUG_ROOT");

	return root && *root ? root : "/usr/lib/debug";
}

/* CRC-32 (the IEEE polynomial, reflected: what gnu_debuglink records) of the file at path. */
static bool file_crc32(const char *path, uint32_t *out)
{
	static uint32_t table[256];
	unsigned char buf[1 << 16];
	uint32_t crc = 0xffffffffu;
	ssize_t got;
	int fd;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
	close(fd);
	if (got < 0)
		return false;
	*out = crc ^ 0xffffffffu;
	return true;
}

/* A regular file other than e's own. */
static bool other_file(const struct pb_elf *e, const char *path)
{
	struct stat a, b;

	if (stat(path, &b) != 0 || !S_ISREG(b.st_mode))
		return false;
	return stat(e->path, &a) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

static char *by_build_id(const struct pb_elf *e, const char *root)
{
	struct pb_elf *d = NULL;
	char *path;
	bool ok;

	if (!e->build_id || strlen(e->build_id) < 3)
		return NULL;
	path = pb_xasprintf("%s/.build-id/%.2s/%s.debug", root, e->build_id, e->build_id + 2);
	ok = other_file(e, path) && pb_elf_open_quiet(&d, path) == 0 && d->build_id &&
	     strcmp(d->build_id, e->build_id) == 0;
	pb_elf_free(d);
	pb_error_clear();
	if (ok)
		return path;
	free(path);
	return NULL;
}

static char *by_debuglink(const struct pb_elf *e, const char *root)
{
	const struct pb_elf_section *s = pb_elf_section_by_name(e, ".gnu_debuglink");
	const unsigned char *data;
	const char *slash = strrchr(e->path, '/');
	char *dir, *cand[3], *hit = NULL;
	size_t len, name_len, crc_at;
	uint32_t want, crc;

	if (!s || !(data = pb_elf_section_raw(e, (size_t)(s - e->sections), &len)))
		return NULL;
	name_len = strnlen((const char *)data, len);
	crc_at = (name_len + 4) & ~(size_t)3; /* the name, its NUL, padding to 4 bytes, then the CRC */
	if (name_len == 0 || crc_at + 4 > len || memchr(data, '/', name_len))
		return NULL;
	want = e->big_endian ? (uint32_t)data[crc_at] << 24 | (uint32_t)data[crc_at + 1] << 16 |
				       (uint32_t)data[crc_at + 2] << 8 | data[crc_at + 3] :
			       (uint32_t)data[crc_at] | (uint32_t)data[crc_at + 1] << 8 |
				       (uint32_t)data[crc_at + 2] << 16 | (uint32_t)data[crc_at + 3] << 24;
	dir = slash ? pb_xstrndup(e->path, (size_t)(slash - e->path)) : pb_xstrdup(".");
	cand[0] = pb_xasprintf("%s/%.*s", dir, (int)name_len, (const char *)data);
	cand[1] = pb_xasprintf("%s/.debug/%.*s", dir, (int)name_len, (const char *)data);
	cand[2] = pb_xasprintf("%s%s%s/%.*s", root, dir[0] == '/' ? "" : "/", dir, (int)name_len,
			       (const char *)data);
	for (int i = 0; i < 3; i++) {
		if (!hit && other_file(e, cand[i]) && file_crc32(cand[i], &crc) && crc == want)
			hit = cand[i];
		else
			free(cand[i]);
	}
	free(dir);
	return hit;
}

char *pb_debugfile_find(const struct pb_elf *e)
{
	const char *root = pb_debugfile_root();
	char *path = by_build_id(e, root);

	return path ? path : by_debuglink(e, root);
}
