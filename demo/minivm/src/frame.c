/* frame.c: pushing and popping call frames. */
#include <stddef.h>

#include "frame.h"

struct frame *frame_push(struct vm *vm, const struct code *code, const struct insn *ret,
			 struct value *base)
{
	struct frame *f;

	if (vm->fp == &vm->frames[VM_FRAMES_MAX - 1])
		return NULL;
	f = ++vm->fp;

	f->code = code;
	f->ret = ret;
	f->base = base;
	f->bottom = vm->sp;
	return f;
}

int args_copy(struct frame *f, const struct value *args, int argc)
{
	int i;

	if (argc != f->code->nargs)
		return -1;
	for (i = 0; i < argc; i++)
		f->locals[i] = args[i];
	for (; i < f->code->nlocals; i++)
		f->locals[i] = value_none();
	return 0;
}

int frame_pop(struct vm *vm, const struct insn **ret)
{
	struct frame *f = vm->fp;
	struct value *result = vm->sp - 1;

	if (result < f->bottom)
		return -1;
	vm->fp = f - 1;
	*ret = f->ret;
	*f->base = *result;
	vm->sp = f->base + 1;
	return 0;
}
