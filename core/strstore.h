/* strstore.h: a string store: many strings with one owner, no malloc per string. */
#ifndef PB_CORE_STRSTORE_H
#define PB_CORE_STRSTORE_H

/*
 * Strings copied into blocks of 64 KiB and whole buffers handed over (a parsed file's text whose
 * strings are used as slices), all freed at once. The store is the pointer to its newest block:
 * start with NULL.
 */
struct pb_strstore;

/* A copy of a, sep and b joined ("K", "=", "V"), NUL-terminated, owned by *st. Never fails. */
char *pb_strstore_join(struct pb_strstore **st, const char *a, const char *sep, const char *b);

/* Take ownership of `buf` (from malloc; NULL is ignored): freed with the store. */
void pb_strstore_keep(struct pb_strstore **st, char *buf);

/* Free every string and buffer of the store and set *st to NULL. Accepts NULL. */
void pb_strstore_free(struct pb_strstore **st);

#endif
