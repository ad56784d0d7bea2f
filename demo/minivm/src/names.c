/* names.c: interning of attribute and method names into small integer ids. */
#include <stdlib.h>
#include <string.h>

#include "names.h"

static char **table;
static int count, cap;

int names_intern(const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(table[i], name) == 0)
			return i + 1;
	if (count == cap) {
		int ncap = cap ? 2 * cap : 32;
		char **t = realloc(table, (size_t)ncap * sizeof(*t));
		if (!t)
			return -1;
		table = t;
		cap = ncap;
	}
	table[count] = malloc(strlen(name) + 1);
	if (!table[count])
		return -1;
	strcpy(table[count], name);
	return ++count;
}

const char *names_str(int id)
{
	return id >= 1 && id <= count ? table[id - 1] : "?";
}

void names_free(void)
{
	for (int i = 0; i < count; i++)
		free(table[i]);
	free(table);
	table = NULL;
	count = cap = 0;
}
