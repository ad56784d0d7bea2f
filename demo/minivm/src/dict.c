/* dict.c: open-addressing hash table from interned names to values. */
#include <stdlib.h>

#include "dict.h"

#define DICT_MIN_CAP 8

int dict_init(struct dict *d)
{
	d->cap = DICT_MIN_CAP;
	d->len = 0;
	d->entries = calloc((size_t)d->cap, sizeof(*d->entries));
	return d->entries ? 0 : -1;
}

void dict_release(struct dict *d)
{
	free(d->entries);
	d->entries = NULL;
	d->cap = d->len = 0;
}

static int dict_grow(struct dict *d)
{
	struct dict bigger = { .cap = d->cap * 2, .len = 0 };

	bigger.entries = calloc((size_t)bigger.cap, sizeof(*bigger.entries));
	if (!bigger.entries)
		return -1;
	for (int i = 0; i < d->cap; i++)
		if (d->entries[i].key)
			dict_set(&bigger, d->entries[i].key, d->entries[i].value);
	free(d->entries);
	*d = bigger;
	return 0;
}

int dict_set(struct dict *d, int key, struct value value)
{
	unsigned mask = (unsigned)(d->cap - 1);
	unsigned i = dict_slot(key, d->cap);

	for (;;) {
		struct dict_entry *e = &d->entries[i];
		if (e->key == key) {
			e->value = value;
			return 0;
		}
		if (e->key == 0)
			break;
		i = (i + 1) & mask;
	}
	/* Keep the load under 3/4 so that probe sequences stay short. */
	if (4 * (d->len + 1) > 3 * d->cap) {
		if (dict_grow(d) < 0)
			return -1;
		return dict_set(d, key, value);
	}
	d->entries[i].key = key;
	d->entries[i].value = value;
	d->len++;
	return 0;
}
