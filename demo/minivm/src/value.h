/* value.h: the tagged values minivm computes with. */
#ifndef MINIVM_VALUE_H
#define MINIVM_VALUE_H

#include <stdint.h>

struct object;
struct code;

enum value_kind { V_NONE, V_INT, V_OBJ, V_CODE };

struct value {
	enum value_kind kind;
	union {
		int64_t i;
		struct object *o;
		const struct code *c;
	} u;
};

static inline struct value value_int(int64_t i)
{
	struct value v = { .kind = V_INT, .u.i = i };
	return v;
}

static inline struct value value_none(void)
{
	struct value v = { .kind = V_NONE, .u.i = 0 };
	return v;
}

static inline struct value value_obj(struct object *o)
{
	struct value v = { .kind = V_OBJ, .u.o = o };
	return v;
}

#endif
