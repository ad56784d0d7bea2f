/* builtins.c: functions implemented in C, called with CALL_BUILTIN. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "builtins.h"

static int builtin_print(const struct value *args, struct value *out)
{
	if (args[0].kind == V_INT)
		printf("%" PRId64 "\n", args[0].u.i);
	else
		printf("<%s>\n", args[0].kind == V_NONE ? "none" : "object");
	*out = value_none();
	return 0;
}

static int builtin_abs(const struct value *args, struct value *out)
{
	if (args[0].kind != V_INT)
		return -1;
	*out = value_int(args[0].u.i < 0 ? -args[0].u.i : args[0].u.i);
	return 0;
}

/* min and max of two ints */
#define MIN_MAX(name, cmp)                                                         \
	static int builtin_##name(const struct value *args, struct value *out)     \
	{                                                                          \
		if (args[0].kind != V_INT || args[1].kind != V_INT)                \
			return -1;                                                 \
		*out = args[0].u.i cmp args[1].u.i ? args[0] : args[1];            \
		return 0;                                                          \
	}
MIN_MAX(min, <)
MIN_MAX(max, >)

/* hash: the same 64-bit mix as splitmix64, so that scripts can make pseudo-random data. */
static int builtin_hash(const struct value *args, struct value *out)
{
	uint64_t z;

	if (args[0].kind != V_INT)
		return -1;
	z = (uint64_t)args[0].u.i + 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	*out = value_int((int64_t)(z ^ (z >> 31)));
	return 0;
}

static int builtin_popcount(const struct value *args, struct value *out)
{
	uint64_t x;
	int n = 0;

	if (args[0].kind != V_INT)
		return -1;
	for (x = (uint64_t)args[0].u.i; x; x &= x - 1)
		n++;
	*out = value_int(n);
	return 0;
}

static const struct builtin table[] = {
	{ "print", 1, builtin_print },
	{ "abs", 1, builtin_abs },
	{ "min", 2, builtin_min },
	{ "max", 2, builtin_max },
	{ "hash", 1, builtin_hash },
	{ "popcount", 1, builtin_popcount },
};

const struct builtin *builtin_get(int id)
{
	if (id < 0 || id >= (int)(sizeof(table) / sizeof(table[0])))
		return NULL;
	return &table[id];
}

int builtin_find(const char *name)
{
	for (int i = 0; i < (int)(sizeof(table) / sizeof(table[0])); i++)
		if (strcmp(table[i].name, name) == 0)
			return i;
	return -1;
}
