/* bench.c: the benchmark programs, built with the assembler and run by the interpreter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "names.h"
#include "object.h"
#include "vm.h"

static int run_main(struct code *main, const struct value *args, int nargs, int64_t *checksum)
{
	struct vm *vm = malloc(sizeof(*vm));
	struct value result;
	int ret = -1;

	if (!vm) {
		fprintf(stderr, "minivm: out of memory\n");
		return -1;
	}
	if (code_check(main) < 0)
		goto out;
	vm_init(vm);
	if (vm_run(vm, main, args, nargs, &result) < 0) {
		fprintf(stderr, "minivm: %s\n", vm->message[0] ? vm->message : "cannot run");
		goto out;
	}
	*checksum = result.u.i;
	ret = 0;
out:
	free(vm);
	return ret;
}

/*
 * Every benchmark's main code object takes (thing, n) and has the locals 0 = thing (what it
 * works on), 1 = n, 2 = i, 3 = acc; it runs its body n times and returns acc.
 * loop_begin emits i = 0; acc = 0 and returns the index of the body, where loop_end jumps
 * back to: i = i + 1; if (i < n) goto body; return acc. Both -1 when out of memory.
 */
static int loop_begin(struct code *main)
{
	int zero = code_const(main, value_int(0));

	if (CODE_EMIT(main, OP_PUSH_CONST, zero, OP_STORE_2, 0, OP_PUSH_CONST, zero, OP_STORE_3, 0) < 0)
		return -1;
	return code_here(main);
}

static int loop_end(struct code *main, int body)
{
	int one = code_const(main, value_int(1));

	return CODE_EMIT(main, OP_LOAD_2, 0, OP_PUSH_CONST, one, OP_ADD, 0, OP_STORE_2, 0,
			 OP_LOAD_2, 0, OP_LOAD_1, 0, OP_LESS, 0, OP_BRANCH_IF, body, OP_LOAD_3, 0,
			 OP_RETURN, 0);
}

/* run_loop: main(thing, n); 0 with *checksum set, or -1. */
static int run_loop(struct code *main, struct value thing, long n, int64_t *checksum)
{
	struct value args[2] = { thing, value_int(n) };

	return run_main(main, args, 2, checksum);
}

/* call_simple: plain function calls, acc += f(i) with f(x) = x + 1. */
static int bench_call_simple(long n, int64_t *checksum)
{
	struct code *f = code_new("f", 1, 1);
	struct code *main = code_new("call_simple", 2, 4);
	struct value fn = { .kind = V_CODE };
	int ret = -1, body;

	if (!f || !main)
		goto out;
	if (CODE_EMIT(f, OP_LOAD_0, 0, OP_PUSH_CONST, code_const(f, value_int(1)), OP_ADD, 0,
		      OP_RETURN, 0) < 0)
		goto out;
	body = loop_begin(main);
	CODE_EMIT(main, OP_LOAD_3, 0, OP_LOAD_0, 0, OP_LOAD_2, 0, OP_CALL_FUNCTION, 1, OP_ADD, 0,
		  OP_STORE_3, 0);
	if (body < 0 || loop_end(main, body) < 0)
		goto out;
	fn.u.c = f;
	ret = run_loop(main, fn, n, checksum);
out:
	code_free(main);
	code_free(f);
	return ret;
}

/*
 * call_method: like pyperformance's bm_call_method, time spent in method calls that do
 * almost nothing. Per iteration, o a Counter:
 *	acc += o.get(); o.set(i); acc -= o.twice(i); acc ^= o.mix(i); acc += o.flip(i)
 * with
 *	class Base:            def get(self): return self.value
 *	class Counter(Base):   def set(self, v): self.value = v; return v
 *	                       def twice(self, v): return (v + v) * self.step
 *	                       def mix(self, v): return ((v >> 3) ^ v) & self.mask
 *	                       def flip(self, v): return (-v << 1) | self.bits
 */
static int bench_call_method(long n, int64_t *checksum)
{
	enum { GET, SET, TWICE, MIX, FLIP, NMETHODS };
	static const char *const method_names[NMETHODS] = { "get", "set", "twice", "mix", "flip" };
	int value = names_intern("value"), step = names_intern("step");
	int mask = names_intern("mask"), bits = names_intern("bits");
	struct type *base = type_new("Base", NULL);
	struct type *counter = type_new("Counter", base);
	struct code *m[NMETHODS] = {
		code_new("Base.get", 1, 1),      code_new("Counter.set", 2, 2),
		code_new("Counter.twice", 2, 2), code_new("Counter.mix", 2, 2),
		code_new("Counter.flip", 2, 2),
	};
	struct code *main = code_new("call_method", 2, 4);
	struct object *o = NULL;
	int id[NMETHODS], ret = -1, body, i;

	for (i = 0; i < NMETHODS; i++) {
		id[i] = names_intern(method_names[i]);
		if (!base || !counter || !m[i] ||
		    type_add_method(i == GET ? base : counter, id[i], m[i]) < 0)
			goto out;
	}
	if (!main)
		goto out;
	CODE_EMIT(m[GET], OP_LOAD_0, 0, OP_GET_ATTR, value, OP_RETURN, 0);
	CODE_EMIT(m[SET], OP_LOAD_1, 0, OP_LOAD_0, 0, OP_SET_ATTR, value, OP_LOAD_1, 0, OP_RETURN, 0);
	CODE_EMIT(m[TWICE], OP_LOAD_1, 0, OP_DUP, 0, OP_ADD, 0, OP_LOAD_0, 0, OP_GET_ATTR, step,
		  OP_MUL, 0, OP_RETURN, 0);
	CODE_EMIT(m[MIX], OP_LOAD_1, 0, OP_PUSH_CONST, code_const(m[MIX], value_int(3)), OP_SHR, 0,
		  OP_LOAD_1, 0, OP_XOR, 0, OP_LOAD_0, 0, OP_GET_ATTR, mask, OP_AND, 0, OP_RETURN, 0);
	CODE_EMIT(m[FLIP], OP_LOAD_1, 0, OP_NEG, 0, OP_PUSH_CONST, code_const(m[FLIP], value_int(1)),
		  OP_SHL, 0, OP_LOAD_0, 0, OP_GET_ATTR, bits, OP_OR, 0, OP_RETURN, 0);

	body = loop_begin(main);
	CODE_EMIT(main, OP_LOAD_3, 0, OP_LOAD_0, 0, OP_GET_METHOD, id[GET], OP_CALL_METHOD, 0,
		  OP_ADD, 0, OP_STORE_3, 0,
		  OP_LOAD_0, 0, OP_GET_METHOD, id[SET], OP_LOAD_2, 0, OP_CALL_METHOD, 1, OP_POP, 0,
		  OP_LOAD_3, 0, OP_LOAD_0, 0, OP_GET_METHOD, id[TWICE], OP_LOAD_2, 0,
		  OP_CALL_METHOD, 1, OP_SUB, 0, OP_STORE_3, 0,
		  OP_LOAD_3, 0, OP_LOAD_0, 0, OP_GET_METHOD, id[MIX], OP_LOAD_2, 0,
		  OP_CALL_METHOD, 1, OP_XOR, 0, OP_STORE_3, 0,
		  OP_LOAD_3, 0, OP_LOAD_0, 0, OP_GET_METHOD, id[FLIP], OP_LOAD_2, 0,
		  OP_CALL_METHOD, 1, OP_ADD, 0, OP_STORE_3, 0);
	if (body < 0 || loop_end(main, body) < 0)
		goto out;

	o = obj_new(counter);
	if (!o || obj_setattr(o, value, value_int(0)) < 0 || obj_setattr(o, step, value_int(3)) < 0 ||
	    obj_setattr(o, mask, value_int(0xffff)) < 0 || obj_setattr(o, bits, value_int(5)) < 0)
		goto out;
	ret = run_loop(main, value_obj(o), n, checksum);
out:
	obj_free(o);
	code_free(main);
	for (i = 0; i < NMETHODS; i++)
		code_free(m[i]);
	type_free(counter);
	type_free(base);
	if (ret < 0 && !o)
		fprintf(stderr, "minivm: out of memory\n");
	return ret;
}

/* attr_access: reading and writing instance attributes; acc += o.x * o.y; o.x = o.x + 1. */
static int bench_attr_access(long n, int64_t *checksum)
{
	int x = names_intern("x"), y = names_intern("y");
	struct type *point = type_new("Point", NULL);
	struct code *main = code_new("attr_access", 2, 4);
	struct object *o = NULL;
	int ret = -1, body;

	if (!point || !main)
		goto out;
	body = loop_begin(main);
	CODE_EMIT(main, OP_LOAD_3, 0, OP_LOAD_0, 0, OP_GET_ATTR, x, OP_LOAD_0, 0, OP_GET_ATTR, y,
		  OP_MUL, 0, OP_ADD, 0, OP_STORE_3, 0,
		  OP_LOAD_0, 0, OP_GET_ATTR, x, OP_PUSH_CONST, code_const(main, value_int(1)),
		  OP_ADD, 0, OP_LOAD_0, 0, OP_SET_ATTR, x);
	if (body < 0 || loop_end(main, body) < 0)
		goto out;
	o = obj_new(point);
	if (!o || obj_setattr(o, x, value_int(1)) < 0 || obj_setattr(o, y, value_int(7)) < 0)
		goto out;
	ret = run_loop(main, value_obj(o), n, checksum);
out:
	if (ret < 0 && !o)
		fprintf(stderr, "minivm: out of memory\n");
	obj_free(o);
	code_free(main);
	type_free(point);
	return ret;
}

/* dict_ops: many attributes on one object, so that lookups probe a bigger table;
 * per iteration o.k<j> = i and acc += o.k<j> for 12 names k0..k11. */
static int bench_dict_ops(long n, int64_t *checksum)
{
	enum { NKEYS = 12 };
	struct code *main = code_new("dict_ops", 2, 4);
	struct type *bag = type_new("Bag", NULL);
	struct object *o = NULL;
	int body, ret = -1;

	if (!main || !bag)
		goto out;
	body = loop_begin(main);
	for (int k = 0; k < NKEYS; k++) {
		char name[8];
		int key;

		snprintf(name, sizeof(name), "k%d", k);
		key = names_intern(name);
		CODE_EMIT(main, OP_LOAD_2, 0, OP_LOAD_0, 0, OP_SET_ATTR, key, OP_LOAD_3, 0, OP_LOAD_0, 0,
			  OP_GET_ATTR, key, OP_ADD, 0, OP_STORE_3, 0);
	}
	if (body < 0 || loop_end(main, body) < 0)
		goto out;
	o = obj_new(bag);
out:
	if (o)
		ret = run_loop(main, value_obj(o), n, checksum);
	else
		fprintf(stderr, "minivm: out of memory\n");
	obj_free(o);
	code_free(main);
	type_free(bag);
	return ret;
}

static const struct bench benches[] = {
	{ "call_simple", 5000000, bench_call_simple },
	{ "call_method", 1000000, bench_call_method },
	{ "attr_access", 3000000, bench_attr_access },
	{ "dict_ops", 500000, bench_dict_ops },
};

const struct bench *bench_find(const char *name)
{
	for (const struct bench *b = benches; b < benches + sizeof(benches) / sizeof(benches[0]); b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

const struct bench *bench_at(int i)
{
	if (i < 0 || i >= (int)(sizeof(benches) / sizeof(benches[0])))
		return NULL;
	return &benches[i];
}
