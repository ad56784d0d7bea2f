/* eval.c: the dispatch loop. */
#include <stddef.h>

#include "errors.h"
#include "frame.h"

static const op_handler handlers[OP_COUNT] = {
#define HANDLER(NAME, name) [OP_##NAME] = op_##name,
	OPCODES(HANDLER)
#undef HANDLER
};

static const char *const opcode_names[OP_COUNT] = {
#define NAME_OF(NAME, name) [OP_##NAME] = #NAME,
	OPCODES(NAME_OF)
#undef NAME_OF
};

const char *opcode_name(int op)
{
	return op >= 0 && op < OP_COUNT ? opcode_names[op] : "?";
}

void vm_init(struct vm *vm)
{
	vm->sp = vm->stack;
	vm->fp = vm->frames;
	vm->error = ERR_NONE;
	vm->message[0] = '\0';
}

int vm_run(struct vm *vm, const struct code *code, const struct value *args, int nargs,
	   struct value *result)
{
	const struct insn *pc;
	struct frame *f;

	f = frame_push(vm, code, NULL, vm->sp);
	if (!f || args_copy(f, args, nargs) < 0)
		return -1;
	pc = code->insns;
	while (pc)
		pc = handlers[pc->op](vm, pc);
	if (vm->error)
		return -1;
	*result = *--vm->sp;
	return 0;
}
