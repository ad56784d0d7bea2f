/* object.c: objects with an attribute dict, and types with methods and a base type. */
#include <stdlib.h>

#include "object.h"

struct type *type_new(const char *name, const struct type *base)
{
	struct type *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->name = name;
	t->base = base;
	if (dict_init(&t->methods) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void type_free(struct type *t)
{
	if (!t)
		return;
	dict_release(&t->methods);
	free(t);
}

int type_add_method(struct type *t, int name, const struct code *code)
{
	struct value v = { .kind = V_CODE, .u.c = code };

	return dict_set(&t->methods, name, v);
}

const struct code *type_lookup(const struct type *t, int name)
{
	for (; t; t = t->base) {
		struct value *v = dict_get(&t->methods, name);
		if (v)
			return v->u.c;
	}

	return NULL;
}

struct object *obj_new(const struct type *t)
{
	struct object *o = malloc(sizeof(*o));

	if (o && dict_init(&o->attrs) == 0) {
		o->type = t;
		return o;
	}
	free(o);
	return NULL;
}

void obj_free(struct object *o)
{
	if (o)
		dict_release(&o->attrs);
	free(o);
}

struct value *obj_getattr(struct object *o, int name)
{
	return dict_get(&o->attrs, name);
}

int obj_setattr(struct object *o, int name, struct value v)
{
	return dict_set(&o->attrs, name, v);
}
