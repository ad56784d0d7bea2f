/* builtins.h: functions implemented in C, called with CALL_BUILTIN. */
#ifndef MINIVM_BUILTINS_H
#define MINIVM_BUILTINS_H

#include "value.h"

struct builtin {
	const char *name;
	int argc;
	/* fn: compute *out from args[0..argc-1] (out may alias args); 0, or -1 on error. */
	int (*fn)(const struct value *args, struct value *out);
};

/* builtin_get: the builtin with that id, or NULL. */
const struct builtin *builtin_get(int id);
/* builtin_find: the id of the builtin called name, or -1. */
int builtin_find(const char *name);

#endif
