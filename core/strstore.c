/* strstore.c: a string store: bump-allocated blocks of copies and buffers handed over, freed at once. */
#include "core/strstore.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define BLOCK 65536

struct pb_strstore {
	struct pb_strstore *next;
	char *kept;       /* a buffer handed over (owned), or NULL for a block of copies */
	size_t used, cap; /* bytes of data[] */
	char data[];
};

char *pb_strstore_join(struct pb_strstore **st, const char *a, const char *sep, const char *b)
{
	struct pb_strstore *blk = *st;
	size_t na = strlen(a), ns = strlen(sep), nb = strlen(b), need = na + ns + nb + 1, cap;
	char *s;

	if (!blk || blk->kept || blk->cap - blk->used < need) {
		cap = need > BLOCK ? need : BLOCK;
		blk = pb_xmalloc(sizeof(*blk) + cap);
		blk->kept = NULL;
		blk->used = 0;
		blk->cap = cap;
		/* A big string gets a block of its own behind the head: the head's room stays usable. */
		if (need > BLOCK / 2 && *st && !(*st)->kept) {
			blk->next = (*st)->next;
			(*st)->next = blk;
		} else {
			blk->next = *st;
			*st = blk;
		}
	}
	s = blk->data + blk->used;
	memcpy(s, a, na);
	memcpy(s + na, sep, ns);
	memcpy(s + na + ns, b, nb);
	s[na + ns + nb] = '\0';
	blk->used += need;
	return s;
}

void pb_strstore_keep(struct pb_strstore **st, char *buf)
{
	struct pb_strstore *blk;

	if (!buf)
		return;
	blk = pb_xcalloc(1, sizeof(*blk));
	blk->kept = buf;
	/* Behind a head block of copies, so that its room stays usable. */
	if (*st && !(*st)->kept) {
		blk->next = (*st)->next;
		(*st)->next = blk;
	} else {
		blk->next = *st;
		*st = blk;
	}
}

void pb_strstore_free(struct pb_strstore **st)
{
	struct pb_strstore *blk, *next;

	if (!st)
		return;
	for (blk = *st; blk; blk = next) {
		next = blk->next;
		free(blk->kept);
		free(blk);
	}
	*st = NULL;
}
