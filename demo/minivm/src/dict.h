/* dict.h: open-addressing hash table from interned names to values. */
#ifndef MINIVM_DICT_H
#define MINIVM_DICT_H

#include <stddef.h>

#include "value.h"

struct dict_entry {
	int key; /* an interned name id; 0 marks an empty slot */
	struct value value;
};

struct dict {
	int cap; /* a power of two */
	int len;
	struct dict_entry *entries;
};

/* dict_init: an empty table; returns 0, or -1 when out of memory. */
int dict_init(struct dict *d);
/* dict_release: frees the entries (not the dict itself). */
void dict_release(struct dict *d);
/* dict_set: store value under key; returns 0, or -1 when out of memory. */
int dict_set(struct dict *d, int key, struct value value);

/* dict_slot: where the probe for key starts. Fibonacci hashing: name ids are small
 * consecutive integers. */
static inline unsigned dict_slot(int key, int cap)
{
	return ((unsigned)key * 2654435761u) & (unsigned)(cap - 1);
}

/* dict_get: the value stored under key, or NULL. Always inlined: a lookup that finds its key
 * in the first slot is a handful of instructions in the caller. */
static inline __attribute__((always_inline)) struct value *dict_get(const struct dict *d,
								     int key)
{
	unsigned mask = (unsigned)(d->cap - 1);
	unsigned i = dict_slot(key, d->cap);

	for (;;) {
		struct dict_entry *e = &d->entries[i];
		if (e->key == key)
			return &e->value;
		if (e->key == 0)
			return NULL;
		i = (i + 1) & mask;
	}
}

#endif
