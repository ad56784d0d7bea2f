/* ops.c: one handler per opcode; each runs one instruction and returns the next. */
#include "builtins.h"
#include "errors.h"
#include "frame.h"
#include "object.h"

const struct insn *op_push_const(struct vm *vm, const struct insn *pc)
{
	*vm->sp++ = vm->fp->code->consts[pc->arg];
	return pc + 1;
}

const struct insn *op_load_local(struct vm *vm, const struct insn *pc)
{
	*vm->sp++ = vm->fp->locals[pc->arg];
	return pc + 1;
}

const struct insn *op_store_local(struct vm *vm, const struct insn *pc)
{
	vm->fp->locals[pc->arg] = *--vm->sp;
	return pc + 1;
}

#define LOCAL_OPS(n)                                                          \
	const struct insn *op_load_##n(struct vm *vm, const struct insn *pc)  \
	{                                                                     \
		*vm->sp++ = vm->fp->locals[n];                                \
		return pc + 1;                                                \
	}                                                                     \
	const struct insn *op_store_##n(struct vm *vm, const struct insn *pc) \
	{                                                                     \
		vm->fp->locals[n] = *--vm->sp;                                \
		return pc + 1;                                                \
	}

LOCAL_OPS(0)
LOCAL_OPS(1)
LOCAL_OPS(2)
LOCAL_OPS(3)

const struct insn *op_pop(struct vm *vm, const struct insn *pc)
{
	vm->sp--;
	return pc + 1;
}

/* Integer arithmetic wraps around like the machine's (done in unsigned to stay defined). */
#define BINARY_OP(name, expr)                                                      \
	const struct insn *op_##name(struct vm *vm, const struct insn *pc)         \
	{                                                                          \
		struct value *b = --vm->sp, *a = b - 1;                            \
		uint64_t x = (uint64_t)a->u.i, y = (uint64_t)b->u.i;               \
		if (a->kind != V_INT || b->kind != V_INT)                          \
			return vm_error(vm, pc, ERR_TYPE);                         \
		a->u.i = (int64_t)(expr);                                          \
		return pc + 1;                                                     \
	}

BINARY_OP(add, x + y)
BINARY_OP(sub, x - y)

const struct insn *op_less(struct vm *vm, const struct insn *pc)
{
	struct value *b = --vm->sp, *a = b - 1;

	if (a->kind != V_INT || b->kind != V_INT)
		return vm_error(vm, pc, ERR_TYPE);
	a->u.i = a->u.i < b->u.i;
	return pc + 1;
}

const struct insn *op_jump(struct vm *vm, const struct insn *pc)
{
	return vm->fp->code->insns + pc->arg;
}

const struct insn *op_branch_if(struct vm *vm, const struct insn *pc)
{
	struct value *v = --vm->sp;

	if (v->kind != V_INT)
		return vm_error(vm, pc, ERR_TYPE);
	return v->u.i ? vm->fp->code->insns + pc->arg : pc + 1;
}

const struct insn *op_get_attr(struct vm *vm, const struct insn *pc)
{
	struct value *obj = vm->sp - 1, *v;

	if (obj->kind != V_OBJ)
		return vm_error(vm, pc, ERR_TYPE);
	v = obj_getattr(obj->u.o, pc->arg);
	if (!v)
		return vm_error(vm, pc, ERR_NO_ATTR);
	*obj = *v;
	return pc + 1;
}

/* SET_ATTR name: stack [value][object] -> [] */
const struct insn *op_set_attr(struct vm *vm, const struct insn *pc)
{
	struct value *obj = vm->sp - 1;

	if (obj->kind != V_OBJ)
		return vm_error(vm, pc, ERR_TYPE);
	if (obj_setattr(obj->u.o, pc->arg, obj[-1]) < 0)
		return vm_error(vm, pc, ERR_NOMEM);
	vm->sp -= 2;
	return pc + 1;
}

/* CALL(code, callee, args, argc): return from the handler into code, run in a new frame with
 * argc arguments copied from args; the result will replace the callee on the stack. */
#define CALL(code, callee, args, argc)                                          \
	do {                                                                    \
		struct frame *f = frame_push(vm, (code), pc + 1, (callee));     \
		if (!f)                                                         \
			return vm_error(vm, pc, ERR_DEPTH);                     \
		if (args_copy(f, (args), (argc)) < 0) {                         \
			vm->fp--;                                               \
			return vm_error(vm, pc, ERR_ARGC);                      \
		}                                                               \
		return (code)->insns;                                           \
	} while (0)

/* CALL_FUNCTION argc: stack [function][arg]*argc -> [result] once the function returns. */
const struct insn *op_call_function(struct vm *vm, const struct insn *pc)
{
	struct value *callee = vm->sp - pc->arg - 1;

	if (callee->kind != V_CODE)
		return vm_error(vm, pc, ERR_TYPE);
	CALL(callee->u.c, callee, callee + 1, pc->arg);
}

const struct insn *op_return(struct vm *vm, const struct insn *pc)
{
	const struct insn *ret;

	if (frame_pop(vm, &ret) < 0)
		return vm_error(vm, pc, ERR_UNDERFLOW);
	return ret;
}

/* GET_METHOD name: stack [object] -> [method][object], ready for CALL_METHOD. Unlike
 * GET_ATTR on a method, no bound-method object is made: the call passes self itself. */
const struct insn *op_get_method(struct vm *vm, const struct insn *pc)
{
	struct value *self = vm->sp - 1;
	const struct code *m;

	if (self->kind != V_OBJ)
		return vm_error(vm, pc, ERR_TYPE);
	m = type_lookup(self->u.o->type, pc->arg);
	if (!m)
		return vm_error(vm, pc, ERR_NO_METHOD);
	self[1] = self[0];
	self[0].kind = V_CODE;
	self[0].u.c = m;
	vm->sp++;
	return pc + 1;
}

/* CALL_METHOD argc: stack [method][self][arg]*argc -> [result] once the method returns. */
const struct insn *op_call_method(struct vm *vm, const struct insn *pc)
{
	struct value *callee = vm->sp - pc->arg - 2;

	CALL(callee->u.c, callee, callee + 1, pc->arg + 1);
}

const struct insn *op_dup(struct vm *vm, const struct insn *pc)
{
	vm->sp[0] = vm->sp[-1];
	vm->sp++;
	return pc + 1;
}

BINARY_OP(mul, x * y)

BINARY_OP(and, x & y)
BINARY_OP(or, x | y)
BINARY_OP(xor, x ^ y)
/* Shifts take the count modulo 64, as x86 does. */
BINARY_OP(shl, x << (y & 63))
BINARY_OP(shr, x >> (y & 63))

const struct insn *op_neg(struct vm *vm, const struct insn *pc)
{
	struct value *a = vm->sp - 1;

	if (a->kind != V_INT)
		return vm_error(vm, pc, ERR_TYPE);
	a->u.i = (int64_t)(0 - (uint64_t)a->u.i);
	return pc + 1;
}

/* CALL_BUILTIN id: stack [arg]*argc(id) -> [result] */
const struct insn *op_call_builtin(struct vm *vm, const struct insn *pc)
{
	const struct builtin *b = builtin_get(pc->arg);
	struct value *args;

	if (!b)
		return vm_error(vm, pc, ERR_BUILTIN);
	args = vm->sp - b->argc;
	if (b->fn(args, &args[0]) < 0)
		return vm_error(vm, pc, ERR_BUILTIN);
	vm->sp = args + 1;
	return pc + 1;
}
