/* object.h: objects with an attribute dict, and types with methods and a base type. */
#ifndef MINIVM_OBJECT_H
#define MINIVM_OBJECT_H

#include "dict.h"

struct type {
	const char *name;
	const struct type *base; /* NULL for a root type */
	struct dict methods;     /* name id -> V_CODE */
};

struct object {
	const struct type *type;
	struct dict attrs; /* name id -> value */
};

/* type_new: a type without methods; NULL when out of memory. Free with type_free. */
struct type *type_new(const char *name, const struct type *base);
void type_free(struct type *t);
/* type_add_method: bind name to code in t; 0, or -1 when out of memory. */
int type_add_method(struct type *t, int name, const struct code *code);
/* type_lookup: the method name of t or of its nearest base type that has it, or NULL. */
const struct code *type_lookup(const struct type *t, int name);

/* obj_new: an instance of t without attributes; NULL when out of memory. */
struct object *obj_new(const struct type *t);
void obj_free(struct object *o);
/* obj_getattr: the attribute, or NULL when o has none of that name. */
struct value *obj_getattr(struct object *o, int name);
/* obj_setattr: 0, or -1 when out of memory. */
int obj_setattr(struct object *o, int name, struct value v);

#endif
